import Foundation
import Glibc

/// A helper process for a loopback test server (`openssl`, `nghttpd`), its output appended to a
/// log file, and a way to wait for its exit.
struct LoopbackProcess {
    let process: Process
    private let exit: AsyncStream<Void>

    /// The path of `name` on `PATH` (or in `/usr/sbin` and `/sbin`, where Debian puts servers), or `nil`.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"]
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `executable` with `arguments`, its standard output and error appended to `log`.
    static func launch(_ executable: String, _ arguments: [String], log: String) throws -> LoopbackProcess {
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let (exit, exitContinuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exitContinuation.finish() }
        try process.run()
        try output.close()
        return LoopbackProcess(process: process, exit: exit)
    }

    /// Runs `executable` to its end; throws with the log's text if it fails.
    static func run(_ executable: String, _ arguments: [String], log: String) async throws {
        let launched = try launch(executable, arguments, log: log)
        await launched.exited()
        // The termination handler can run before Foundation marks the process as finished, and
        // reading its status before then traps: wait for that first (it has exited: no real wait).
        launched.process.waitUntilExit()
        guard launched.process.terminationStatus == 0 else {
            throw LoopbackTLSServer.Failure(description: "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") failed: \(contents(of: log))")
        }
    }

    /// Waits for the process to exit.
    func exited() async {
        for await _ in exit {}
    }

    /// Kills the process and waits for it. SIGKILL, because a child started from a Swift
    /// concurrency thread inherits that thread's blocked signals, SIGTERM among them.
    func stop() async {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        await exited()
    }

    /// The text of a log file, or "" if it cannot be read.
    static func contents(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
