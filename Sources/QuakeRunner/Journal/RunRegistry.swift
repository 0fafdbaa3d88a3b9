import Foundation

/// The machine's list of unfinished runs: one small file per run in a well-known state directory
/// (`$QUAKE_STATE_DIR`, else `$XDG_STATE_HOME/quake`, else `~/.local/state/quake`), pointing at the
/// run's journal. A run registers when its journal begins and unregisters when it ends, so what is
/// left is what a crash (or `quake lab up`) left behind.
public struct RunRegistry: Sendable {
    /// One registered run.
    public struct Pointer: Sendable, Equatable, Codable {
        /// The run's id.
        public var id: String
        /// Its journal file.
        public var journal: String

        /// A pointer from its parts.
        public init(id: String, journal: String) {
            self.id = id
            self.journal = journal
        }
    }

    /// The state directory.
    public let directory: String

    /// The registry in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The registry in the state directory `environment` names (see the type's documentation).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> RunRegistry {
        if let dir = environment["QUAKE_STATE_DIR"], !dir.isEmpty { return RunRegistry(directory: dir) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return RunRegistry(directory: xdg + "/quake") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return RunRegistry(directory: home + "/.local/state/quake")
    }

    private var runs: String { directory + "/runs" }

    private func file(for id: String) -> String { runs + "/" + id + ".json" }

    /// Records that run `run` keeps its journal at `journal` (an absolute path is stored).
    public func register(_ run: JournalRun, journal: String) throws {
        let pointer = Pointer(id: run.id, journal: URL(fileURLWithPath: journal).standardizedFileURL.path)
        do {
            try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
            try JSONEncoder().encode(pointer).write(to: URL(fileURLWithPath: file(for: run.id)), options: .atomic)
        } catch {
            throw RunnerError(code: .journal, message: "cannot register run \(run.id) in \(runs): \(error.localizedDescription)")
        }
        try Journal.syncDirectory(runs)
    }

    /// Forgets run `id` (nothing of it is left).
    public func unregister(_ id: String) throws {
        let path = file(for: id)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw RunnerError(code: .journal, message: "cannot unregister run \(id): \(error.localizedDescription)")
        }
    }

    /// Every registered run, oldest id first; a pointer file that cannot be read is reported as
    /// an error naming it.
    public func pointers() throws -> [Pointer] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let path = runs + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunnerError(code: .journal, message: "\(path): cannot be read (remove it if the run is gone)")
            }
            return try Self.pointer(in: data, path: path)
        }
    }

    /// The pointer in `data`, the bytes of the registry file `path`.
    ///
    /// - Throws: ``RunnerError`` `journal` naming the file and what is wrong with it.
    static func pointer(in data: Data, path: String) throws(RunnerError) -> Pointer {
        do {
            return try JSONDecoder().decode(Pointer.self, from: data)
        } catch {
            throw RunnerError(code: .journal, message: "\(path): not a run pointer (\(JournalReader.reason(error)); remove it if the run is gone)")
        }
    }
}
