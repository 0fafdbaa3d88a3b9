/// How a client in a locality reaches a service on a live target: a base URL, and the Host header
/// that names the service there (an Envoy listener or an ingress gateway routes by it), or `nil`
/// to send the URL's own. The lab's route is the listener of the locality's Envoy; the kubernetes
/// target's is the plan's ingress, whatever the locality.
public struct ServiceRoute: Sendable, Equatable {
    /// The URL a request path is appended to (`http://127.0.0.1:20001`).
    public var baseURL: String
    /// The Host header to send.
    public var host: String?

    public init(baseURL: String, host: String? = nil) {
        self.baseURL = baseURL
        self.host = host
    }

    /// The URL of `path` on this route, with exactly one slash between them.
    public func url(_ path: String) -> String {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return trimmed + (path.hasPrefix("/") ? path : "/" + path)
    }
}
