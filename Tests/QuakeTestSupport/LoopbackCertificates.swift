import Foundation

/// A throw-away public key infrastructure made with `openssl` for TLS tests: a self-signed
/// authority, a server certificate it signed for `localhost` and `127.0.0.1`, and a client
/// certificate it signed for client authentication. Keys are unencrypted EC P-256 PEM files.
///
/// Costs five `openssl` runs, about 50 ms.
public struct LoopbackCertificates: Sendable {
    /// The authority's certificate: the CA bundle that makes clients and servers trust the others.
    public let caFile: String
    /// The server's certificate (`localhost`, `IP:127.0.0.1`).
    public let serverCertificateFile: String
    /// The server's private key.
    public let serverKeyFile: String
    /// The client's certificate (`CN=quake-client`, for client authentication).
    public let clientCertificateFile: String
    /// The client's private key.
    public let clientKeyFile: String

    /// Whether `openssl` is available to make certificates.
    public static var isAvailable: Bool { LoopbackTLSServer.openssl != nil }

    /// Runs `body` with fresh certificates in a temporary directory, deleted afterwards whether
    /// `body` returned or threw.
    public static func with<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackCertificates) async throws -> Value
    ) async throws -> Value {
        guard let openssl = LoopbackTLSServer.openssl else { throw LoopbackTLSServer.Failure(description: "openssl is not on PATH") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        let log = file("openssl.log")
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

        try await LoopbackProcess.run(openssl, ["req", "-x509"] + newKey + [
            "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=Quake Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], log: log)
        for (name, subject, extensions) in [
            ("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("client", "/CN=quake-client", "extendedKeyUsage=clientAuth\n"),
        ] {
            try Data(("basicConstraints=CA:FALSE\n" + extensions).utf8).write(to: URL(fileURLWithPath: file("\(name).ext")))
            try await LoopbackProcess.run(openssl, ["req"] + newKey + [
                "-keyout", file("\(name).key"), "-out", file("\(name).csr"), "-subj", subject,
            ], log: log)
            try await LoopbackProcess.run(openssl, [
                "x509", "-req", "-in", file("\(name).csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
                "-CAcreateserial", "-days", "1", "-extfile", file("\(name).ext"), "-out", file("\(name).pem"),
            ], log: log)
        }
        return try await body(LoopbackCertificates(
            caFile: file("ca.pem"),
            serverCertificateFile: file("server.pem"), serverKeyFile: file("server.key"),
            clientCertificateFile: file("client.pem"), clientKeyFile: file("client.key")
        ))
    }
}
