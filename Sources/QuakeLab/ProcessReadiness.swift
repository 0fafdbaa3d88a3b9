import QuakeHTTP

/// How the supervisor tells that a process it started is ready to serve.
public enum ProcessReadiness: Sendable, CustomStringConvertible {
    /// A `GET` of the URL through QuakeHTTP answers with a 2xx status (Envoy's `/ready`,
    /// Prometheus's `/-/ready`, a pod's `/healthz`).
    case http(url: String, headers: HTTPHeaders = [:])
    /// A TCP connection to the address is accepted.
    case tcp(host: String, port: Int)

    /// A pod's `/healthz`.
    public static func pod(_ configuration: PodConfiguration) -> ProcessReadiness {
        .http(url: "http://\(configuration.host):\(configuration.port)/healthz")
    }

    public var description: String {
        switch self {
        case let .http(url, _): return "GET \(url)"
        case let .tcp(host, port): return "TCP \(host):\(port)"
        }
    }
}
