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

    private let authority: Authority

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
        try await LoopbackProcess.run(openssl, ["req", "-x509"] + Authority.newKey + [
            "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=Quake Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], log: file("openssl.log"))
        let authority = Authority(openssl: openssl, directory: directory)
        let server = try await authority.sign(name: "server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        let client = try await authority.sign(name: "client", subject: "/CN=quake-client", extensions: "extendedKeyUsage=clientAuth\n")
        return try await body(LoopbackCertificates(
            caFile: file("ca.pem"),
            serverCertificateFile: server.certificate, serverKeyFile: server.key,
            clientCertificateFile: client.certificate, clientKeyFile: client.key,
            authority: authority
        ))
    }

    /// Makes another client certificate signed by the authority, for `CN=commonName` with one
    /// `O=` per organization (Kubernetes reads them as user and groups); returns its PEM
    /// certificate and key files, deleted with the others. Costs two `openssl` runs.
    public func makeClientCertificate(commonName: String, organizations: [String] = []) async throws -> (certificate: String, key: String) {
        let subject = organizations.map { "/O=\($0)" }.joined() + "/CN=\(commonName)"
        return try await authority.sign(name: "client-\(UUID().uuidString)", subject: subject, extensions: "extendedKeyUsage=clientAuth\n")
    }

    /// The authority's key and the `openssl` that signs with it.
    private struct Authority: Sendable {
        static let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let openssl: String
        let directory: URL

        /// Makes a key and a certificate `name.pem` for `subject` with `extensions`, signed by the authority.
        func sign(name: String, subject: String, extensions: String) async throws -> (certificate: String, key: String) {
            let file = { (name: String) in directory.appendingPathComponent(name).path }
            let log = file("openssl.log")
            try Data(("basicConstraints=CA:FALSE\n" + extensions).utf8).write(to: URL(fileURLWithPath: file("\(name).ext")))
            try await LoopbackProcess.run(openssl, ["req"] + Self.newKey + [
                "-keyout", file("\(name).key"), "-out", file("\(name).csr"), "-subj", subject,
            ], log: log)
            try await LoopbackProcess.run(openssl, [
                "x509", "-req", "-in", file("\(name).csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
                "-CAcreateserial", "-days", "1", "-extfile", file("\(name).ext"), "-out", file("\(name).pem"),
            ], log: log)
            return (file("\(name).pem"), file("\(name).key"))
        }
    }
}
