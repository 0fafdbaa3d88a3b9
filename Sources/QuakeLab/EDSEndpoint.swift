import QuakeCore

/// One endpoint of an EDS document: a pod's loopback port, where it runs, and the health the lab's
/// control plane reports for it.
public struct EDSEndpoint: Sendable, Hashable {
    /// The health Envoy is told (`lb_endpoints[].health_status`).
    public enum Health: String, Sendable, CaseIterable {
        /// Takes traffic.
        case healthy = "HEALTHY"
        /// Marked down without touching the process (a not-ready pod that Istio still sends).
        case unhealthy = "UNHEALTHY"
        /// Being removed: no new requests.
        case draining = "DRAINING"
    }

    /// The pod's 127.0.0.1 port.
    public var port: Int
    /// The pod's region, cluster and zone.
    public var locality: Locality
    /// The health Envoy is told.
    public var health: Health

    /// An endpoint from its parts.
    public init(port: Int, locality: Locality, health: Health = .healthy) {
        self.port = port
        self.locality = locality
        self.health = health
    }

    /// The endpoint of a lab pod.
    public init(pod: LabLayout.Pod, health: Health = .healthy) {
        self.init(port: pod.port, locality: pod.locality, health: health)
    }
}
