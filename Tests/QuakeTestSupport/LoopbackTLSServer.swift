import Foundation
import Glibc

/// An `openssl s_server` on 127.0.0.1 with a fresh self-signed certificate for the name
/// `localhost` only, answering `GET /` with a status page, for TLS tests.
///
/// Costs one `openssl req` and one `openssl s_server` process, about 20 ms.
public struct LoopbackTLSServer: Sendable {
    /// A failure to start the server, with what `openssl` printed.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The port `s_server` listens on at 127.0.0.1.
    public let port: UInt16
    /// The server's PEM certificate, which is also the only authority behind it: a client trusts
    /// the server by using this file as its CA bundle.
    public let certificateFile: String

    /// The path of `openssl` on `PATH`, or `nil` if there is none.
    public static let openssl: String? = {
        let directories = ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"].split(separator: ":")
        return directories.map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs `body` with a running server, then stops it and deletes its files, whether `body` returned or threw.
    public static func with<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackTLSServer) async throws -> Value
    ) async throws -> Value {
        guard let openssl else { throw Failure(description: "openssl is not on PATH") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let log = directory.appendingPathComponent("openssl.log").path
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw Failure(description: "cannot create \(log)")
        }

        let request = try launch(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ], log: log)
        await request.exited()
        guard request.process.terminationStatus == 0 else {
            throw Failure(description: "openssl req failed: \(contents(of: log))")
        }

        let server = try launch(openssl, [
            "s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www",
        ], log: log)
        do {
            let port = try await listeningPort(in: log, of: server.process)
            let value = try await body(LoopbackTLSServer(port: port, certificateFile: certificate))
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A started process and a way to wait for its exit.
    private struct Launched {
        let process: Process
        let exit: AsyncStream<Void>

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
    }

    private static func launch(_ executable: String, _ arguments: [String], log: String) throws -> Launched {
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
        return Launched(process: process, exit: exit)
    }

    /// Reads the port from `s_server`'s `ACCEPT 127.0.0.1:PORT` line, polling its log for up to ten seconds.
    private static func listeningPort(in log: String, of process: Process) async throws -> UInt16 {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && process.isRunning {
            for line in contents(of: log).split(separator: "\n") where line.hasPrefix("ACCEPT ") {
                if let port = line.split(separator: ":").last.flatMap({ UInt16($0) }) {
                    return port
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "openssl s_server did not start listening: \(contents(of: log))")
    }

    private static func contents(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
