/// Versions of the control planes and every timing they imply (SEMANTICS.md §6).
public struct ControlPlane: Sendable {
    /// The Kubernetes version of the member clusters.
    public var kubernetes: Version
    /// The Karmada version.
    public var karmada: Version
    /// The Istio version.
    public var istio: Version
    /// Karmada controller switches that cannot be read through its API.
    public var karmadaFeatures: KarmadaFeatures
    /// Every timing and rate, defaults from the versions with the plan's overrides applied.
    public var timings: Timings

    /// A control plane from its versions; features and timings default from them.
    public init(kubernetes: Version = Version(1, 32), karmada: Version = Version(1, 13), istio: Version = Version(1, 24), karmadaFeatures: KarmadaFeatures? = nil, timings: Timings? = nil) {
        self.kubernetes = kubernetes
        self.karmada = karmada
        self.istio = istio
        self.karmadaFeatures = karmadaFeatures ?? KarmadaFeatures.defaults(for: karmada)
        self.timings = timings ?? Timings.defaults(kubernetes: kubernetes)
    }

    /// Whether Karmada adds NoExecute to a failed cluster by itself (only up to v1.13, with the Failover gate).
    public var karmadaTaintsFailedClusters: Bool { karmada < Version(1, 14) && karmadaFeatures.failover }

    /// Whether Karmada's taint manager evicts workloads from a cluster with a NoExecute taint it
    /// does not tolerate (a failed cluster's, or a procedure's `migrate-workloads`): the Failover
    /// gate up to v1.13, and from v1.14 also `--enable-no-execute-taint-eviction`. Without it a
    /// tainted cluster keeps its workloads.
    public var karmadaTaintManagerEvicts: Bool {
        karmada < Version(1, 14) ? karmadaFeatures.failover : karmadaFeatures.failover && karmadaFeatures.noExecuteTaintEviction
    }
}

/// Karmada controller-manager switches.
public struct KarmadaFeatures: Sendable, Equatable {
    /// The `Failover` feature gate (on by default up to v1.11, off from v1.12).
    public var failover: Bool
    /// `--enable-no-execute-taint-eviction` (default false; needed from v1.14 for NoExecute eviction).
    public var noExecuteTaintEviction: Bool
    /// The `GracefulEviction` feature gate (on by default).
    public var gracefulEviction: Bool

    /// Switches from their parts.
    public init(failover: Bool, noExecuteTaintEviction: Bool, gracefulEviction: Bool = true) {
        self.failover = failover
        self.noExecuteTaintEviction = noExecuteTaintEviction
        self.gracefulEviction = gracefulEviction
    }

    /// The defaults of a Karmada release.
    public static func defaults(for karmada: Version) -> KarmadaFeatures {
        KarmadaFeatures(failover: karmada < Version(1, 12), noExecuteTaintEviction: false)
    }
}

/// Every timing, rate and threshold of SEMANTICS.md §6; each can be overridden by name in a plan.
public struct Timings: Sendable, Equatable {
    /// kubelet lease renewal interval (10 s).
    public var nodeLeaseRenewInterval: TimeSpan
    /// `--node-monitor-period` (5 s).
    public var nodeMonitorPeriod: TimeSpan
    /// `--node-monitor-grace-period` (40 s up to 1.31, 50 s from 1.32).
    public var nodeMonitorGracePeriod: TimeSpan
    /// Default `not-ready` toleration of pods (300 s).
    public var notReadyTolerationSeconds: TimeSpan
    /// Default `unreachable` toleration of pods (300 s).
    public var unreachableTolerationSeconds: TimeSpan
    /// `--node-eviction-rate` in nodes per second (0.1).
    public var nodeEvictionRate: Double
    /// `--secondary-node-eviction-rate` (0.01).
    public var secondaryNodeEvictionRate: Double
    /// `--unhealthy-zone-threshold` (0.55).
    public var unhealthyZoneThreshold: Double
    /// `--large-cluster-size-threshold` (50 nodes).
    public var largeClusterSizeThreshold: Int
    /// Readiness probe period (10 s).
    public var readinessProbePeriod: TimeSpan
    /// Readiness probe failure threshold (3).
    public var readinessFailureThreshold: Int
    /// EndpointSlice update after a node goes Unknown (about 1 s).
    public var endpointSliceDelay: TimeSpan
    /// istiod push of new endpoints to the proxies (0.1–1 s; 0.5 s).
    public var istiodPushDelay: TimeSpan
    /// Karmada `--cluster-status-update-frequency` (10 s).
    public var clusterStatusUpdateFrequency: TimeSpan
    /// Karmada `--cluster-failure-threshold` (30 s).
    public var clusterFailureThreshold: TimeSpan
    /// Karmada `--cluster-success-threshold` (30 s).
    public var clusterSuccessThreshold: TimeSpan
    /// Karmada `--cluster-monitor-period` (5 s).
    public var clusterMonitorPeriod: TimeSpan
    /// Karmada `--cluster-monitor-grace-period` (40 s).
    public var clusterMonitorGracePeriod: TimeSpan
    /// Karmada `--cluster-startup-grace-period` (60 s).
    public var clusterStartupGracePeriod: TimeSpan
    /// Karmada `--failover-eviction-timeout` (5 min; up to v1.13).
    public var failoverEvictionTimeout: TimeSpan
    /// karmada-webhook default not-ready/unreachable toleration (300 s; up to v1.13).
    public var karmadaDefaultTolerationSeconds: TimeSpan
    /// Karmada `--resource-eviction-rate` in bindings per second (0.5).
    public var resourceEvictionRate: Double
    /// Karmada `--graceful-eviction-timeout` (10 min).
    public var gracefulEvictionTimeout: TimeSpan
    /// Application failover `gracePeriodSeconds` default (600 s).
    public var applicationGracePeriod: TimeSpan
    /// Application failover `tolerationSeconds` default (300 s).
    public var applicationTolerationSeconds: TimeSpan
    /// Karmada descheduler interval (2 min).
    public var deschedulerInterval: TimeSpan
    /// Karmada descheduler unschedulable threshold (5 min).
    public var unschedulableThreshold: TimeSpan
    /// Envoy retry back-off base (25 ms).
    public var retryBackoffBase: TimeSpan
    /// Envoy retry back-off cap (250 ms).
    public var retryBackoffMax: TimeSpan
    /// Envoy host re-picks with `previous_hosts` (5 under Istio's default policy).
    public var hostSelectionRetryMaxAttempts: Int
    /// Envoy overprovisioning factor (1.4).
    public var overprovisioningFactor: Double

    /// Duration-valued timings by their plan key, in the order `quake explain` and the docs list them.
    static var durationFields: [(key: String, path: WritableKeyPath<Timings, TimeSpan>)] {
        [
            ("nodeLeaseRenewInterval", \.nodeLeaseRenewInterval), ("nodeMonitorPeriod", \.nodeMonitorPeriod),
            ("nodeMonitorGracePeriod", \.nodeMonitorGracePeriod), ("notReadyTolerationSeconds", \.notReadyTolerationSeconds),
            ("unreachableTolerationSeconds", \.unreachableTolerationSeconds), ("readinessProbePeriod", \.readinessProbePeriod),
            ("endpointSliceDelay", \.endpointSliceDelay), ("istiodPushDelay", \.istiodPushDelay),
            ("clusterStatusUpdateFrequency", \.clusterStatusUpdateFrequency), ("clusterFailureThreshold", \.clusterFailureThreshold),
            ("clusterSuccessThreshold", \.clusterSuccessThreshold), ("clusterMonitorPeriod", \.clusterMonitorPeriod),
            ("clusterMonitorGracePeriod", \.clusterMonitorGracePeriod), ("clusterStartupGracePeriod", \.clusterStartupGracePeriod),
            ("failoverEvictionTimeout", \.failoverEvictionTimeout), ("karmadaDefaultTolerationSeconds", \.karmadaDefaultTolerationSeconds),
            ("gracefulEvictionTimeout", \.gracefulEvictionTimeout), ("applicationGracePeriod", \.applicationGracePeriod),
            ("applicationTolerationSeconds", \.applicationTolerationSeconds), ("deschedulerInterval", \.deschedulerInterval),
            ("unschedulableThreshold", \.unschedulableThreshold), ("retryBackoffBase", \.retryBackoffBase),
            ("retryBackoffMax", \.retryBackoffMax),
        ]
    }

    /// Number-valued timings (rates per second, fractions, counts) by their plan key.
    static var numberFields: [(key: String, kind: ValueKind, path: WritableKeyPath<Timings, Double>)] {
        [
            ("nodeEvictionRate", .rate, \.nodeEvictionRate), ("secondaryNodeEvictionRate", .rate, \.secondaryNodeEvictionRate),
            ("unhealthyZoneThreshold", .fraction, \.unhealthyZoneThreshold),
            ("largeClusterSizeThreshold", .count, \.largeClusterSizeThresholdValue),
            ("readinessFailureThreshold", .count, \.readinessFailureThresholdValue),
            ("resourceEvictionRate", .rate, \.resourceEvictionRate),
            ("hostSelectionRetryMaxAttempts", .count, \.hostSelectionRetryMaxAttemptsValue),
            ("overprovisioningFactor", .fraction, \.overprovisioningFactor),
        ]
    }

    private var largeClusterSizeThresholdValue: Double {
        get { Double(largeClusterSizeThreshold) }
        set { largeClusterSizeThreshold = Int(newValue) }
    }
    private var readinessFailureThresholdValue: Double {
        get { Double(readinessFailureThreshold) }
        set { readinessFailureThreshold = Int(newValue) }
    }
    private var hostSelectionRetryMaxAttemptsValue: Double {
        get { Double(hostSelectionRetryMaxAttempts) }
        set { hostSelectionRetryMaxAttempts = Int(newValue) }
    }

    /// Every plan key of `controlPlane.timings`.
    public static var keys: [String] { durationFields.map(\.key) + numberFields.map(\.key) }

    /// The defaults of SEMANTICS.md §6 for a Kubernetes version.
    public static func defaults(kubernetes: Version) -> Timings {
        Timings(
            nodeLeaseRenewInterval: .seconds(10), nodeMonitorPeriod: .seconds(5),
            nodeMonitorGracePeriod: kubernetes >= Version(1, 32) ? .seconds(50) : .seconds(40),
            notReadyTolerationSeconds: .seconds(300), unreachableTolerationSeconds: .seconds(300),
            nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01, unhealthyZoneThreshold: 0.55,
            largeClusterSizeThreshold: 50, readinessProbePeriod: .seconds(10), readinessFailureThreshold: 3,
            endpointSliceDelay: .seconds(1), istiodPushDelay: .milliseconds(500),
            clusterStatusUpdateFrequency: .seconds(10), clusterFailureThreshold: .seconds(30),
            clusterSuccessThreshold: .seconds(30), clusterMonitorPeriod: .seconds(5),
            clusterMonitorGracePeriod: .seconds(40), clusterStartupGracePeriod: .seconds(60),
            failoverEvictionTimeout: .minutes(5), karmadaDefaultTolerationSeconds: .seconds(300),
            resourceEvictionRate: 0.5, gracefulEvictionTimeout: .minutes(10), applicationGracePeriod: .seconds(600),
            applicationTolerationSeconds: .seconds(300), deschedulerInterval: .minutes(2),
            unschedulableThreshold: .minutes(5), retryBackoffBase: .milliseconds(25), retryBackoffMax: .milliseconds(250),
            hostSelectionRetryMaxAttempts: 5, overprovisioningFactor: 1.4
        )
    }

    /// The kind of value a timing key takes.
    public enum ValueKind: Sendable { case duration, rate, fraction, count }

    /// What kind of value `key` takes; nil for an unknown key.
    public static func valueKind(of key: String) -> ValueKind? {
        if durationFields.contains(where: { $0.key == key }) { return .duration }
        return numberFields.first { $0.key == key }?.kind
    }

    /// The value of `key` as text (`50s`, `0.1/s`, `3`), for `quake explain`; nil for an unknown key.
    public func text(of key: String) -> String? {
        if let field = Self.durationFields.first(where: { $0.key == key }) { return "\(self[keyPath: field.path])" }
        guard let field = Self.numberFields.first(where: { $0.key == key }) else { return nil }
        let v = self[keyPath: field.path]
        switch field.kind {
        case .rate: return "\(v)/s"
        case .count: return "\(Int(v))"
        case .duration, .fraction: return "\(v)"
        }
    }

    /// Sets the duration-valued `key`; false if the key does not take a duration.
    public mutating func set(_ key: String, duration v: TimeSpan) -> Bool {
        guard let field = Self.durationFields.first(where: { $0.key == key }) else { return false }
        self[keyPath: field.path] = v
        return true
    }

    /// Sets the number-valued `key` (a rate per second, fraction or count); false if the key takes a duration.
    public mutating func set(_ key: String, number v: Double) -> Bool {
        guard let field = Self.numberFields.first(where: { $0.key == key }) else { return false }
        self[keyPath: field.path] = v
        return true
    }
}
