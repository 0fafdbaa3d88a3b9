/// Why a load request got no HTTP response, in the client's own terms (``HTTPError/Code``).
public enum LoadErrorKind: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The connection was refused (nothing listening) or the host was unreachable.
    case refused
    /// The request ran past its timeout.
    case timeout
    /// The server reset or closed the connection before a complete response.
    case reset
    /// The TLS handshake failed.
    case tls
    /// The host name did not resolve.
    case dns
    /// Anything else; libcurl's codes are folded in here.
    case other

    /// The kind's name, such as `timeout`.
    public var description: String {
        switch self {
        case .refused: "refused"
        case .timeout: "timeout"
        case .reset: "reset"
        case .tls: "tls"
        case .dns: "dns"
        case .other: "other"
        }
    }

    /// The kind for an error of the HTTP client.
    public init(_ code: HTTPError.Code) {
        switch code {
        case .refused: self = .refused
        case .timeout: self = .timeout
        case .reset: self = .reset
        case .tls: self = .tls
        case .dns: self = .dns
        default: self = .other
        }
    }
}
