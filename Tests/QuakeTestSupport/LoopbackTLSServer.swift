import Foundation
import Glibc

/// An `openssl s_server` on 127.0.0.1 answering `GET /` with a status page, for TLS tests:
/// either with a fresh self-signed certificate for the name `localhost` only, or with the server
/// certificate of a ``LoopbackCertificates``, optionally requiring a client certificate.
///
/// Costs one `openssl s_server` process (and one `openssl req` when self-signed), about 20 ms.
public struct LoopbackTLSServer: Sendable {
    /// A failure to start the server, with what `openssl` printed.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The port `s_server` listens on at 127.0.0.1.
    public let port: UInt16
    /// The server's PEM certificate. When self-signed it is also the only authority behind it:
    /// a client trusts the server by using this file as its CA bundle.
    public let certificateFile: String

    /// The path of `openssl` on `PATH`, or `nil` if there is none.
    public static let openssl: String? = LoopbackProcess.find("openssl")

    /// Runs `body` with a server using a fresh self-signed certificate, then stops it and deletes
    /// its files, whether `body` returned or threw.
    public static func with<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackTLSServer) async throws -> Value
    ) async throws -> Value {
        guard let openssl else { throw Failure(description: "openssl is not on PATH") }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let log = directory.appendingPathComponent("openssl.log").path
        try await LoopbackProcess.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ], log: log)
        return try await serve(openssl, ["-cert", certificate, "-key", key], certificate: certificate, log: log, body)
    }

    /// Runs `body` with a server presenting `certificates`' server certificate; with
    /// `requireClientCertificate`, the handshake fails unless the client presents a certificate
    /// signed by the same authority (`s_server -Verify`).
    public static func with<Value>(
        certificates: LoopbackCertificates,
        requireClientCertificate: Bool,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackTLSServer) async throws -> Value
    ) async throws -> Value {
        guard let openssl else { throw Failure(description: "openssl is not on PATH") }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = ["-cert", certificates.serverCertificateFile, "-key", certificates.serverKeyFile]
        if requireClientCertificate {
            arguments += ["-Verify", "1", "-CAfile", certificates.caFile, "-verify_return_error"]
        }
        let log = directory.appendingPathComponent("openssl.log").path
        return try await serve(openssl, arguments, certificate: certificates.serverCertificateFile, log: log, body)
    }

    private static func serve<Value>(
        _ openssl: String,
        _ arguments: [String],
        certificate: String,
        log: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackTLSServer) async throws -> Value
    ) async throws -> Value {
        let server = try LoopbackProcess.launch(openssl, ["s_server", "-accept", "127.0.0.1:0", "-www"] + arguments, log: log)
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

    private static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Reads the port from `s_server`'s `ACCEPT 127.0.0.1:PORT` line, polling its log for up to ten seconds.
    private static func listeningPort(in log: String, of process: Process) async throws -> UInt16 {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && process.isRunning {
            for line in LoopbackProcess.contents(of: log).split(separator: "\n") where line.hasPrefix("ACCEPT ") {
                if let port = line.split(separator: ":").last.flatMap({ UInt16($0) }) {
                    return port
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "openssl s_server did not start listening: \(LoopbackProcess.contents(of: log))")
    }
}
