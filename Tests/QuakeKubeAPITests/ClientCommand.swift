import Foundation
import Glibc

/// A real client (kubectl, python3) run against the API server double, its output in files so
/// that a chatty process never blocks on a full pipe.
struct ClientCommand {
    /// How a finished command ended.
    struct Result {
        let status: Int32
        let output: String
        let errors: String
    }

    let process: Process
    private let directory: URL
    private let exit: AsyncStream<Void>

    /// The path of `name` on `PATH`, or `nil`.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"]
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `kubectl`, if installed.
    static let kubectl = find("kubectl")

    /// `python3`, if it can import the official `kubernetes` client.
    static let pythonWithClient: String? = {
        guard let python = find("python3") else { return nil }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import kubernetes"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return nil }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? python : nil
    }()

    /// Starts `executable` with `arguments`; stop it with ``stop()`` or wait with ``finish(within:)``.
    static func start(_ executable: String, _ arguments: [String]) throws -> ClientCommand {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["out", "err"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("out"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("err"))
        let (exit, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        return ClientCommand(process: process, directory: directory, exit: exit)
    }

    /// Runs `executable` to its end, killing it after `timeout`.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Result {
        try await start(executable, arguments).finish(within: timeout)
    }

    /// What the process has written to standard output so far.
    var output: String { (try? String(contentsOf: directory.appendingPathComponent("out"), encoding: .utf8)) ?? "" }

    /// What the process has written to standard error so far.
    var errors: String { (try? String(contentsOf: directory.appendingPathComponent("err"), encoding: .utf8)) ?? "" }

    /// Waits until the standard output contains `text`, for at most `timeout`; returns whether it did.
    func waitForOutput(_ text: String, timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(text) {
            guard ContinuousClock.now < deadline, process.isRunning else { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits for the process to end, killing it after `timeout`; returns how it ended and deletes its files.
    func finish(within timeout: Duration) async throws -> Result {
        let process = self.process
        let exit = self.exit
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exit {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            if !first { kill(process.processIdentifier, SIGKILL) }
            group.cancelAll()
            return first
        }
        for await _ in exit {}
        process.waitUntilExit()
        let result = Result(status: ended ? process.terminationStatus : -1, output: output, errors: errors)
        try? FileManager.default.removeItem(at: directory)
        return result
    }

    /// Kills the process and deletes its files; returns what it had written.
    func stop() async throws -> Result {
        kill(process.processIdentifier, SIGKILL)
        return try await finish(within: .seconds(5))
    }
}
