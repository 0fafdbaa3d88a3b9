import Foundation

/// An `nghttpd` (Debian package `nghttp2-server`) on 127.0.0.1 serving files over HTTP/2: as
/// h2c with prior knowledge on plain TCP, or over TLS with ALPN `h2` using a
/// ``LoopbackCertificates`` server certificate. It speaks only HTTP/2.
///
/// Its verbose log names each connection (`[id=N]`), so a test can count the connections
/// clients opened. Costs one `nghttpd` process.
public struct LoopbackHTTP2Server: Sendable {
    /// The port `nghttpd` listens on at 127.0.0.1.
    public let port: UInt16
    /// Whether the server speaks TLS (`https`) or h2c (`http`).
    public let usesTLS: Bool
    private let log: String

    /// The path of `nghttpd`, or `nil` if it is not installed.
    public static let nghttpd: String? = LoopbackProcess.find("nghttpd")

    /// Runs `body` with a server whose document root holds `files` (path → content), then stops
    /// it and deletes its files, whether `body` returned or threw. With `certificates`, it speaks
    /// TLS; without, h2c.
    public static func with<Value>(
        files: [String: Data],
        certificates: LoopbackCertificates? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackHTTP2Server) async throws -> Value
    ) async throws -> Value {
        guard let nghttpd else { throw LoopbackTLSServer.Failure(description: "nghttpd is not installed (Debian package nghttp2-server)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-h2-\(UUID().uuidString)")
        let root = directory.appendingPathComponent("htdocs")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, content) in files {
            try content.write(to: root.appendingPathComponent(path))
        }
        // nghttpd cannot report a port the system chose, so pick a free one, and pick again if
        // another process took it first.
        var lastLog = ""
        for attempt in 0..<5 {
            let port = try LoopbackSocket.unusedPort()
            let log = directory.appendingPathComponent("nghttpd-\(attempt).log").path
            var arguments = ["-v", "-a", "127.0.0.1", "-d", root.path]
            if let certificates {
                arguments += [String(port), certificates.serverKeyFile, certificates.serverCertificateFile]
            } else {
                arguments += ["--no-tls", String(port)]
            }
            let server = try LoopbackProcess.launch(nghttpd, arguments, log: log)
            let listening = await waitUntilListening(port: port, process: server.process)
            guard listening else {
                lastLog = LoopbackProcess.contents(of: log)
                await server.stop()
                continue
            }
            do {
                let value = try await body(LoopbackHTTP2Server(port: port, usesTLS: certificates != nil, log: log))
                await server.stop()
                return value
            } catch {
                await server.stop()
                throw error
            }
        }
        throw LoopbackTLSServer.Failure(description: "nghttpd did not start listening: \(lastLog)")
    }

    /// The URL of `path` on this server, such as `http://127.0.0.1:41234/hello.txt` (`https://localhost:…` with TLS).
    public func url(_ path: String = "/") -> String {
        usesTLS ? "https://localhost:\(port)\(path)" : "http://127.0.0.1:\(port)\(path)"
    }

    /// How many client connections the server has seen so far (its test probes excluded).
    public var connectionsSeen: Int {
        let text = LoopbackProcess.contents(of: log)
        var ids = Set<Substring>()
        for line in text.split(separator: "\n") where line.contains("recv HEADERS frame") {
            if let start = line.range(of: "[id="), let end = line[start.upperBound...].firstIndex(of: "]") {
                ids.insert(line[start.upperBound..<end])
            }
        }
        return ids.count
    }

    private static func waitUntilListening(port: UInt16, process: Process) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && process.isRunning {
            if LoopbackSocket.canConnect(to: port) { return process.isRunning }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
