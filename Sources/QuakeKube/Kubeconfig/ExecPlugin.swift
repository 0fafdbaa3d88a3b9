import Foundation
import QuakeHTTP

/// A kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1 or v1beta1), as cloud
/// providers ship them (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`): run with
/// `KUBERNETES_EXEC_INFO` set, it prints an `ExecCredential` whose status holds a token or a
/// client certificate and key, with an optional expiry.
///
/// Quake never runs one interactively: a plugin whose `interactiveMode` is `Always` is refused.
public struct ExecPlugin: Sendable, Equatable {
    /// The API versions Quake speaks.
    public static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    public var apiVersion: String
    /// The program, found on PATH unless it holds a slash.
    public var command: String
    public var arguments: [String]
    /// Variables added to Quake's own environment.
    public var environment: [(String, String)]
    /// What to tell the user when the program is not installed.
    public var installHint: String?
    /// `Never`, `IfAvailable` or `Always`.
    public var interactiveMode: String
    /// The kubeconfig user it belongs to, for messages.
    public var user: String

    /// A plugin from its kubeconfig fields.
    public init(apiVersion: String, command: String, arguments: [String] = [], environment: [(String, String)] = [], installHint: String? = nil, interactiveMode: String = "IfAvailable", user: String) {
        self.apiVersion = apiVersion
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.installHint = installHint
        self.interactiveMode = interactiveMode
        self.user = user
    }

    public static func == (a: ExecPlugin, b: ExecPlugin) -> Bool {
        a.apiVersion == b.apiVersion && a.command == b.command && a.arguments == b.arguments
            && a.environment.map { "\($0)=\($1)" } == b.environment.map { "\($0)=\($1)" } && a.interactiveMode == b.interactiveMode
    }

    /// What a plugin printed: a bearer token or a client certificate (or both), and until when.
    public struct Credential: Sendable {
        public var token: String?
        public var certificate: HTTPClientCertificate?
        /// When it expires; nil when the plugin gave no expiry (kept until refused).
        public var expires: Date?
    }

    /// Runs the plugin and reads its credential; waits at most `timeout`.
    ///
    /// - Throws: ``KubeError`` `credentials` naming the plugin: not installed (with its install
    ///   hint), failed (with the end of what it printed on standard error), timed out, or printed
    ///   no ExecCredential of the requested version.
    public func run(timeout: Duration = .seconds(60)) async throws -> Credential {
        if interactiveMode == "Always" {
            throw KubeError(code: .credentials, message: "the exec plugin \(command) of user '\(user)' wants a terminal (interactiveMode: Always); Quake runs unattended")
        }
        let output = try await ExecPluginProcess.run(command: command, arguments: arguments, environment: processEnvironment, timeout: timeout, name: "exec plugin \(command) of user '\(user)'", installHint: installHint)
        return try Self.parse(output, apiVersion: apiVersion, name: "exec plugin \(command) of user '\(user)'")
    }

    /// The plugin's environment: Quake's, the kubeconfig's variables, and `KUBERNETES_EXEC_INFO`.
    var processEnvironment: [String: String] {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        variables["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        return variables
    }

    /// The credential in a plugin's standard output.
    static func parse(_ output: Data, apiVersion: String, name: String) throws -> Credential {
        struct Document: Decodable {
            struct Status: Decodable {
                var token: String?
                var clientCertificateData: String?
                var clientKeyData: String?
                var expirationTimestamp: String?
            }
            var apiVersion: String?
            var kind: String?
            var status: Status?
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: output), document.kind == "ExecCredential" else {
            throw KubeError(code: .credentials, message: "\(name) printed no ExecCredential JSON")
        }
        guard document.apiVersion == apiVersion else {
            throw KubeError(code: .credentials, message: "\(name) answered apiVersion \(document.apiVersion ?? "none"), not the \(apiVersion) it was asked for")
        }
        guard let status = document.status else {
            throw KubeError(code: .credentials, message: "\(name) printed an ExecCredential without a status")
        }
        var credential = Credential()
        credential.token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        switch (status.clientCertificateData, status.clientKeyData) {
        case let (certificate?, key?):
            credential.certificate = .pem(certificate: Data(certificate.utf8), key: Data(key.utf8))
        case (nil, nil):
            break
        default:
            throw KubeError(code: .credentials, message: "\(name) gave a client certificate without its key, or a key without its certificate")
        }
        guard credential.token != nil || credential.certificate != nil else {
            throw KubeError(code: .credentials, message: "\(name) gave neither a token nor a client certificate")
        }
        if let stamp = status.expirationTimestamp {
            guard let date = ISO8601DateFormatter().date(from: stamp) else {
                throw KubeError(code: .credentials, message: "\(name) gave an expirationTimestamp that is not RFC 3339: \(stamp)")
            }
            credential.expires = date
        }
        return credential
    }
}
