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

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `quake arguments`; output goes to files, so a chatty process can never block on a full pipe.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
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
    static func runOffPool(_ arguments: [String], in directory: URL? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try run(arguments, in: directory) }) }.start()
        }
    }
}
