import Foundation
import Synchronization

/// Runs a credential plugin's program off the cooperative pool and returns its standard output
/// (at most 1 MiB), killing it and its children when it outlives its time.
enum ExecPluginProcess {
    static let outputLimit = 1 << 20

    static func run(command: String, arguments: [String], environment: [String: String], timeout: Duration, name: String, installHint: String?) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(command: command, arguments: arguments, environment: environment, timeout: timeout, name: name, installHint: installHint) })
            }.start()
        }
    }

    private static func runBlocking(command: String, arguments: [String], environment: [String: String], timeout: Duration, name: String, installHint: String?) throws -> Data {
        let process = Process()
        guard let executable = locate(command, path: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw KubeError(code: .credentials, message: "\(name): \(command) is not installed (not found on PATH)" + (installHint.map { ". \($0)" } ?? ""))
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw KubeError(code: .credentials, message: "\(name): cannot start \(executable): \(error.localizedDescription)")
        }
        // Foundation starts the plugin in a process group of its own: the group goes, children
        // (which would hold the output pipe open) included.
        let group = process.processIdentifier
        let killer = DispatchWorkItem { if process.isRunning { kill(-group, SIGKILL) } }
        let (seconds, attoseconds) = timeout.components
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18, execute: killer)
        // Both pipes drain at once so that a chatty plugin never blocks on a full pipe.
        let stderrData = Mutex(Data())
        let stderrRead = DispatchGroup()
        stderrRead.enter()
        DispatchQueue.global().async {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
            stderrRead.leave()
        }
        var stdout = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            if stdout.count < outputLimit { stdout.append(chunk.prefix(outputLimit - stdout.count)) }
        }
        process.waitUntilExit()
        killer.cancel()
        stderrRead.wait()
        if process.terminationReason == .uncaughtSignal {
            throw KubeError(code: .credentials, message: "\(name) did not finish within \(seconds) s and was stopped")
        }
        guard process.terminationStatus == 0 else {
            let said = String(decoding: stderrData.withLock { $0.suffix(500) }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeError(code: .credentials, message: "\(name) exited \(process.terminationStatus)" + (said.isEmpty ? "" : ": \(said)"))
        }
        return stdout
    }

    /// `command` itself when it holds a slash, else its first executable match on `path`.
    static func locate(_ command: String, path: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
