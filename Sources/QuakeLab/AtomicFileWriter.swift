#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file in one step: writes a temporary file in the same folder, then renames it over
/// the target, so a reader sees the old content or the new, never half of it. Envoy's file-based
/// EDS (`watched_directory`) picks up only such a rename; an in-place rewrite is ignored
/// (LAB-NOTES (g)). Prometheus' file discovery reads the same way.
///
/// The one place the lab's generated files touch the disk. No fsync: the files are rebuilt on every
/// run, only atomicity matters.
public enum AtomicFileWriter {
    /// Writes `text` to `path`, creating missing parent folders (mode 0755; the file gets 0644).
    ///
    /// - Throws: `LabError` `.file` naming the path and the system's reason.
    public static func write(_ text: String, to path: String) throws(LabError) {
        guard let slash = path.lastIndex(of: "/"), path.index(after: slash) < path.endIndex else {
            throw LabError(code: .file, message: "not a file path", location: path)
        }
        let directory = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        if !directory.isEmpty { try makeDirectories(directory) }
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create a temporary file", temporary) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                systemWrite(fd, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let error = failure("cannot write", temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard close(fd) == 0 else {
            let error = failure("cannot close", temporary)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot rename a temporary file over", path)
            unlink(temporary)
            throw error
        }
    }

    /// Creates `directory` and its missing parents.
    public static func makeDirectories(_ directory: String) throws(LabError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw failure("cannot create the folder", prefix)
            }
        }
    }

    private static func failure(_ what: String, _ path: String) -> LabError {
        let reason = String(cString: strerror(errno))
        return LabError(code: .file, message: "\(what): \(reason)", location: path)
    }
}

/// write(2), outside `AtomicFileWriter` whose own `write` would shadow it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
