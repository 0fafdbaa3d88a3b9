/// The HTTP version a response arrived in.
public enum HTTPVersion: String, Hashable, Sendable, CustomStringConvertible {
    /// HTTP/1.0.
    case http1_0 = "HTTP/1.0"
    /// HTTP/1.1.
    case http1_1 = "HTTP/1.1"
    /// HTTP/2, over TLS or as h2c.
    case http2 = "HTTP/2"
    /// HTTP/3 (not requested by Quake; listed for completeness).
    case http3 = "HTTP/3"

    /// The version as written on a status line, such as `HTTP/2`.
    public var description: String { rawValue }
}
