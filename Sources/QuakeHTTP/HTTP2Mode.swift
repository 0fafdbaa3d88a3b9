/// Whether and how a request speaks HTTP/2.
public enum HTTP2Mode: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// HTTP/1.1 only (the default): one request at a time on each kept-alive connection.
    case off
    /// HTTP/2 when a TLS server offers it through ALPN, HTTP/1.1 otherwise and on plain `http`
    /// URLs (`CURL_HTTP_VERSION_2TLS`). Concurrent requests to one host share one connection.
    case negotiate
    /// HTTP/2 without asking: over TLS through ALPN, and on plain `http` URLs as h2c with prior
    /// knowledge (`CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE`). A server that does not speak HTTP/2 fails the request.
    ///
    /// An h2c request gets a connection of its own, closed afterwards: libcurl 7.88.1 fails any
    /// request that reuses an h2c prior-knowledge connection. Over TLS, requests multiplex.
    case priorKnowledge

    /// The mode's name, such as `negotiate`.
    public var description: String { rawValue }
}
