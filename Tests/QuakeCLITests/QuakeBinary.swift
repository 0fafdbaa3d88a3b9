import Foundation

/// The built `quake` binary, run with `Foundation.Process`.
enum QuakeBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Whether standard error has a `file:line:column: error:` line (for `file`, when given).
        func hasPositionedError(in file: String? = nil) -> Bool {
            stderr.split(separator: "\n").contains { line in
                // The file may itself hold ':', so read the numbers back from the marker.
                guard let marker = line.range(of: ": error: ") else { return false }
                let parts = line[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 3 else { return false }
                let name = parts.dropLast(2).joined(separator: ":")
                let numbers = parts.suffix(2)
                return !name.isEmpty && (file == nil || name == file) && numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
            }
        }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "quake binary not found; looked in \(searched.joined(separator: ", "))" }
    }

    /// The `quake` built with the tests: next to the test bundle, else in the package's `.build/debug`.
    static func binary() throws -> URL {
        var dirs: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { dirs.append(executable.deletingLastPathComponent()) }
        if let argument = CommandLine.arguments.first { dirs.append(URL(fileURLWithPath: argument).deletingLastPathComponent()) }
        dirs.append(ValidateCommandTests.packageRoot.appendingPathComponent(".build/debug"))
        let candidates = dirs.map { $0.appendingPathComponent("quake") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw NotBuilt(searched: candidates.map(\.path))
    }

    /// A state directory of this test process's own, so that runs the tests leave unfinished never
    /// reach the user's `~/.local/state/quake` (a test that needs its own passes `QUAKE_STATE_DIR`).
    static let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-cli-state-\(getpid())").path

    /// Where each invocation gets a run history of its own, so that the runs the tests make never
    /// reach the user's `~/.local/share/quake/history.sqlite`, and no run is judged against another
    /// test's runs of a plan of the same name (a test that keeps a history passes `QUAKE_HISTORY`).
    static let historyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-cli-history-\(getpid())").path

    /// The test's environment with `QUAKE_STATE_DIR` set to ``stateDirectory``, `QUAKE_HISTORY` to
    /// a new file in ``historyDirectory``, and `extra` added.
    static func environment(adding extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["QUAKE_STATE_DIR"] = stateDirectory
        environment["QUAKE_HISTORY"] = historyDirectory + "/\(UUID().uuidString).sqlite"
        return environment.merging(extra) { $1 }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `quake arguments` with `environment` added to the test's own; output goes to files, so
    /// a chatty process can never block on a full pipe.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = Self.environment(adding: environment)
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self)
        )
    }

    /// `run(_:in:)` on a thread of its own, for long runs (the lab): the test pool's few threads
    /// stay free for the tests running alongside while `quake` works.
    static func runOffPool(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try run(arguments, in: directory, environment: environment) }) }.start()
        }
    }

    /// Waits for `process` to exit on a thread of its own, so that the test pool's threads stay free.
    static func waitOffPool(_ process: Process) async {
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
    }

    /// Starts `quake arguments` in the background (output discarded, standard error to the file
    /// `stderr` if given) and returns the process, for tests that stop it themselves.
    static func start(_ arguments: [String], environment: [String: String] = [:], stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = Self.environment(adding: environment)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            guard FileManager.default.createFile(atPath: stderr.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }
}
