import QuakeCore

/// Envoy's active HTTP health check of every endpoint (off unless asked for: Istio programs none;
/// Kubernetes readiness reaches Envoy through EDS instead).
///
/// Defaults follow LAB-NOTES (c): a failed host is marked `/failed_active_hc` about a second after
/// its `/healthz` starts failing. `unejectOnSuccess` is false by default so that a passing health
/// check does not undo an outlier ejection (LAB-NOTES (b): Envoy's default of true turned 3 errors into 17).
public struct EnvoyHealthCheck: Sendable, Equatable {
    /// The path probed on each pod.
    public var path: String
    /// Time between checks of one host.
    public var interval: TimeSpan
    /// Time a check may take.
    public var timeout: TimeSpan
    /// Time between checks of a cluster that has had no traffic yet (Envoy's default is 60 s).
    public var noTrafficInterval: TimeSpan
    /// Failed checks before a host is marked unhealthy.
    public var unhealthyThreshold: Int
    /// Passed checks before it is healthy again.
    public var healthyThreshold: Int
    /// Envoy's `successful_active_health_check_uneject_host`: whether a passing check ends an ejection.
    public var unejectOnSuccess: Bool

    /// A health check from its parts, LAB-NOTES' values by default.
    public init(path: String = "/healthz", interval: TimeSpan = .seconds(1), timeout: TimeSpan = .milliseconds(500), noTrafficInterval: TimeSpan = .seconds(1), unhealthyThreshold: Int = 2, healthyThreshold: Int = 1, unejectOnSuccess: Bool = false) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.noTrafficInterval = noTrafficInterval
        self.unhealthyThreshold = unhealthyThreshold
        self.healthyThreshold = healthyThreshold
        self.unejectOnSuccess = unejectOnSuccess
    }

    /// The cluster's `health_checks` entry.
    var json: LabJSON {
        .object([
            ("timeout", .duration(timeout)),
            ("interval", .duration(interval)),
            ("no_traffic_interval", .duration(noTrafficInterval)),
            ("unhealthy_threshold", .int(unhealthyThreshold)),
            ("healthy_threshold", .int(healthyThreshold)),
            ("http_health_check", .object([("path", .string(path))])),
        ])
    }
}
