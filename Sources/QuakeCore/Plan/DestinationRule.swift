/// The parts of an Istio `DestinationRule` that Quake models (SEMANTICS.md §3).
public struct DestinationRule: Sendable {
    /// `metadata.name`.
    public var name: String
    /// `spec.host`, reduced to the service name (`svc2.default.svc.cluster.local` → `svc2`).
    public var host: String
    /// `trafficPolicy.loadBalancer.simple`; nil when unset (Istio then uses LEAST_REQUEST).
    public var loadBalancer: LoadBalancer?
    /// `trafficPolicy.loadBalancer.localityLbSetting`.
    public var locality: LocalityLbSetting?
    /// `trafficPolicy.outlierDetection`; nil when absent (then no failover priorities, panic 50 %).
    public var outlierDetection: OutlierDetection?
    /// `trafficPolicy.connectionPool`.
    public var connectionPool: ConnectionPool
    /// `subsets[]`: name and the pod labels each selects, in order.
    public var subsets: [(name: String, labels: [String: String])] = []

    /// A rule from its parts.
    public init(name: String, host: String, loadBalancer: LoadBalancer? = nil, locality: LocalityLbSetting? = nil, outlierDetection: OutlierDetection? = nil, connectionPool: ConnectionPool = ConnectionPool()) {
        self.name = name
        self.host = host
        self.loadBalancer = loadBalancer
        self.locality = locality
        self.outlierDetection = outlierDetection
        self.connectionPool = connectionPool
    }

    /// The Karmada member cluster a subset selects (by `topology.istio.io/cluster`), if it selects one.
    public func cluster(ofSubset name: String) -> String? {
        subsets.first { $0.name == name }?.labels["topology.istio.io/cluster"]
    }

    /// The load-balancing algorithm Envoy runs: the rule's, or Istio's default LEAST_REQUEST.
    public var effectiveLoadBalancer: LoadBalancer { loadBalancer ?? .leastRequest }

    /// Envoy's healthy panic threshold as Istio programs it: `minHealthPercent` with OD (0 by default), 50 % without.
    public var panicThreshold: Percentage { outlierDetection.map(\.minHealthPercent) ?? Percentage(50) }
}

/// `loadBalancer.simple`.
public enum LoadBalancer: String, Sendable, CaseIterable {
    /// Round robin over healthy hosts.
    case roundRobin = "ROUND_ROBIN"
    /// Power of two choices by active requests (Istio's default).
    case leastRequest = "LEAST_REQUEST"
    /// Uniformly random.
    case random = "RANDOM"
    /// Forward to the address the caller asked for.
    case passthrough = "PASSTHROUGH"
}

/// `loadBalancer.localityLbSetting`.
public struct LocalityLbSetting: Sendable, Equatable {
    /// `enabled` (the mesh default is true).
    public var enabled: Bool
    /// `distribute[]`: from a locality pattern to weights per locality pattern.
    public var distribute: [(from: String, to: [(pattern: String, weight: Int)])]
    /// `failover[]`: from region to region.
    public var failover: [(from: String, to: String)]
    /// `failoverPriority[]`: label keys (or `key=value`) in order.
    public var failoverPriority: [String]

    /// A setting from its parts.
    public init(enabled: Bool = true, distribute: [(from: String, to: [(pattern: String, weight: Int)])] = [], failover: [(from: String, to: String)] = [], failoverPriority: [String] = []) {
        self.enabled = enabled
        self.distribute = distribute
        self.failover = failover
        self.failoverPriority = failoverPriority
    }

    public static func == (a: LocalityLbSetting, b: LocalityLbSetting) -> Bool {
        a.enabled == b.enabled && a.failoverPriority == b.failoverPriority
            && a.failover.map { [$0.from, $0.to] } == b.failover.map { [$0.from, $0.to] }
            && a.distribute.map { d in [d.from] + d.to.map { "\($0.pattern)=\($0.weight)" } }
            == b.distribute.map { d in [d.from] + d.to.map { "\($0.pattern)=\($0.weight)" } }
    }
}

/// `trafficPolicy.outlierDetection`, with Istio's defaults (SEMANTICS.md §3.3).
public struct OutlierDetection: Sendable, Equatable {
    /// `consecutive5xxErrors` (5; 0 turns it off).
    public var consecutive5xxErrors: Int
    /// `consecutiveGatewayErrors` (off unless set).
    public var consecutiveGatewayErrors: Int?
    /// `interval` between sweeps (10 s).
    public var interval: TimeSpan
    /// `baseEjectionTime` (30 s).
    public var baseEjectionTime: TimeSpan
    /// `maxEjectionPercent` (10 %).
    public var maxEjectionPercent: Percentage
    /// `minHealthPercent`, Envoy's healthy panic threshold (0: panic off).
    public var minHealthPercent: Percentage

    /// Outlier detection with Istio's defaults unless given.
    public init(consecutive5xxErrors: Int = 5, consecutiveGatewayErrors: Int? = nil, interval: TimeSpan = .seconds(10), baseEjectionTime: TimeSpan = .seconds(30), maxEjectionPercent: Percentage = Percentage(10), minHealthPercent: Percentage = Percentage(0)) {
        self.consecutive5xxErrors = consecutive5xxErrors
        self.consecutiveGatewayErrors = consecutiveGatewayErrors
        self.interval = interval
        self.baseEjectionTime = baseEjectionTime
        self.maxEjectionPercent = maxEjectionPercent
        self.minHealthPercent = minHealthPercent
    }

    /// Envoy's `max_ejection_time` as Istio leaves it: max(300 s, base).
    public var maxEjectionTime: TimeSpan { max(.seconds(300), baseEjectionTime) }
}

/// `trafficPolicy.connectionPool`, with Istio's defaults (2³²−1: unlimited).
public struct ConnectionPool: Sendable, Equatable {
    /// `tcp.maxConnections`.
    public var maxConnections: Int
    /// `tcp.connectTimeout` (10 s).
    public var connectTimeout: TimeSpan
    /// `http.http1MaxPendingRequests`.
    public var maxPendingRequests: Int
    /// `http.http2MaxRequests`.
    public var maxRequests: Int
    /// `http.maxRetries`.
    public var maxRetries: Int
    /// `http.maxRequestsPerConnection` (0: unlimited).
    public var maxRequestsPerConnection: Int

    /// Istio's unlimited defaults.
    public static let unlimited = 4_294_967_295

    /// A pool from its parts.
    public init(maxConnections: Int = unlimited, connectTimeout: TimeSpan = .seconds(10), maxPendingRequests: Int = unlimited, maxRequests: Int = unlimited, maxRetries: Int = unlimited, maxRequestsPerConnection: Int = 0) {
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.maxPendingRequests = maxPendingRequests
        self.maxRequests = maxRequests
        self.maxRetries = maxRetries
        self.maxRequestsPerConnection = maxRequestsPerConnection
    }
}
