import QuakeHTTP

/// How to reach one cluster's API server as one user, resolved from a kubeconfig context: the
/// server URL, the TLS checks and client certificate, and how requests are authorized.
///
/// Its description names the context, server, checks and kind of credentials, never a token,
/// a password or a key.
public struct KubeConnection: Sendable, CustomStringConvertible {
    /// The kubeconfig context it came from.
    public var context: String
    /// The API server's base URL, without a trailing slash (`https://10.0.0.1:6443`).
    public var server: String
    /// The context's namespace (`default` when it names none).
    public var namespace: String
    /// Server verification (CA, or `insecure-skip-tls-verify`) and the client certificate.
    public var tls: HTTPTLSOptions
    /// The `Authorization` header's source, if any (a client certificate may be all there is).
    public var authorization: KubeAuthorization?
    /// The kubeconfig user's name.
    public var user: String

    /// A connection from its parts.
    public init(context: String, server: String, namespace: String = "default", tls: HTTPTLSOptions = HTTPTLSOptions(), authorization: KubeAuthorization? = nil, user: String = "") {
        self.context = context
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.authorization = authorization
        self.user = user
    }

    /// Whether the server's certificate goes unchecked (`insecure-skip-tls-verify`): reports say so.
    public var isInsecure: Bool { tls.isInsecure }

    public var description: String {
        var parts = ["context \(context) at \(server)", isInsecure ? "TLS NOT verified (insecure-skip-tls-verify)" : "TLS verified"]
        if let certificate = tls.clientCertificate { parts.append("client certificate (\(certificate))") }
        if let authorization { parts.append(authorization.description) }
        return parts.joined(separator: ", ")
    }
}

/// Where a request's `Authorization` header comes from.
public enum KubeAuthorization: Sendable, CustomStringConvertible {
    /// A bearer token written in the kubeconfig.
    case token(String)
    /// A bearer token read from this file at each use, so that a rotated token is picked up.
    case tokenFile(String)
    /// HTTP basic authentication.
    case basic(username: String, password: String)
    /// A credential plugin run when a credential is needed and again when it expires or is refused.
    case exec(ExecPlugin)

    /// The kind of credentials and where they come from, without their value.
    public var description: String {
        switch self {
        case .token: return "bearer token <redacted>"
        case let .tokenFile(path): return "bearer token from \(path)"
        case let .basic(username, _): return "basic auth as \(username), password <redacted>"
        case let .exec(plugin): return "exec plugin \(plugin.command)"
        }
    }
}
