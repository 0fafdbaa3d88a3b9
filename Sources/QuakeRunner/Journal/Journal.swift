import Foundation
import Glibc
import Synchronization

/// A run's journal: an append-only file of JSON lines (``JournalEntry``), each written whole and
/// flushed to disk (`fsync`) before ``record(_:)`` returns, so that an entry written before a change
/// survives a crash right after it.
///
/// ``begin(_:path:registry:)`` writes the run's header and registers the journal in the state
/// directory (``RunRegistry``); ``end(_:)`` writes the end and unregisters it. A journal that is
/// registered but not ended is an unfinished run: `quake status` lists it and `quake rollback`
/// undoes what it shows still in effect.
public final class Journal: Sendable {
    /// The journal file.
    public let path: String
    /// The run that writes it.
    public let run: JournalRun
    private let registry: RunRegistry?
    private let file: Mutex<Int32?>

    /// Creates the journal at `path` (its folder is created; an existing file is an error), writes
    /// the run's header and registers it with `registry`.
    ///
    /// - Throws: ``RunnerError`` `journal` naming the file.
    public static func begin(_ run: JournalRun, path: String, registry: RunRegistry?) throws -> Journal {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RunnerError(code: .journal, message: "cannot create the folder of the journal \(path): \(error.localizedDescription)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunnerError(code: .journal, message: "cannot create the journal \(path): \(String(cString: strerror(errno)))")
        }
        let journal = Journal(path: path, run: run, registry: registry, fd: fd)
        try journal.record(.began(run))
        try Self.syncDirectory(folder)
        try registry?.register(run, journal: path)
        return journal
    }

    /// Opens the existing journal at `path` to append to it (rollback writes what it did and the
    /// run's end there). A last line cut short by a crash is cut off first.
    ///
    /// - Throws: ``RunnerError`` `journal` when it cannot be opened or has no header.
    public static func resume(at path: String, registry: RunRegistry?) throws -> Journal {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError(code: .journal, message: "cannot read the journal \(path)")
        }
        guard let run = JournalState(try JournalReader.entries(in: data, path: path)).run else {
            throw RunnerError(code: .journal, message: "\(path): the journal has no run-began line")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            throw RunnerError(code: .journal, message: "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        if let last = data.last, last != UInt8(ascii: "\n") {
            let complete = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            guard ftruncate(fd, off_t(complete)) == 0 else {
                close(fd)
                throw RunnerError(code: .journal, message: "cannot cut the torn last line of \(path): \(String(cString: strerror(errno)))")
            }
        }
        return Journal(path: path, run: run, registry: registry, fd: fd)
    }

    private init(path: String, run: JournalRun, registry: RunRegistry?, fd: Int32) {
        self.path = path
        self.run = run
        self.registry = registry
        self.file = Mutex(fd)
    }

    deinit {
        file.withLock { fd in
            if let open = fd { close(open) }
        }
    }

    /// Appends `event` and flushes it to disk.
    ///
    /// - Throws: ``RunnerError`` `journal` when it could not be written whole (disk full, closed
    ///   journal): the change it announces must then not be made.
    public func record(_ event: JournalEntry.Event) throws {
        var line = try Self.encoder.encode(JournalEntry(event))
        line.append(UInt8(ascii: "\n"))
        try file.withLock { fd in
            guard let fd else {
                throw RunnerError(code: .journal, message: "the journal \(path) is closed")
            }
            try line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw RunnerError(code: .journal, message: "cannot write the journal \(path): \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else {
                throw RunnerError(code: .journal, message: "cannot flush the journal \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes the run's end with `status`, closes the file and unregisters the run: nothing it
    /// started is left.
    public func end(_ status: String) throws {
        try record(.ended(status: status))
        file.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
        try registry?.unregister(run.id)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Flushes a folder's entry list, so a file just created in it survives a crash.
    static func syncDirectory(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RunnerError(code: .journal, message: "cannot open \(folder) to flush it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
