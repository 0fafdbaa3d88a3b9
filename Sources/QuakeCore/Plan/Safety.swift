/// Blast-radius limits, checked against the schedule before anything runs.
public struct SafetyPolicy: Sendable, Equatable {
    /// How many nodes may be faulted at once.
    public var maxNodesDown: Limit
    /// How many zones may be faulted at once.
    public var maxZonesDown: Limit
    /// How many clusters may be faulted at once.
    public var maxClustersDown: Limit
    /// Whether every zone of a region may be down at once (off by default).
    public var allowWholeRegion: Bool
    /// Whether every cluster may be down at once (off by default).
    public var allowAllClusters: Bool
    /// Namespaces and services no fault may touch.
    public var protected: [String]
    /// When the plan may run on a real target (lab, kubernetes); empty: at any time. The model is
    /// never held to them.
    public var allowedWindows: [TimeWindow]

    /// A policy from its parts; by default a region always keeps a zone and the plan always keeps a cluster.
    public init(maxNodesDown: Limit = .unlimited, maxZonesDown: Limit = .unlimited, maxClustersDown: Limit = .unlimited, allowWholeRegion: Bool = false, allowAllClusters: Bool = false, protected: [String] = ["kube-system", "istio-system", "karmada-system"], allowedWindows: [TimeWindow] = []) {
        self.maxNodesDown = maxNodesDown
        self.maxZonesDown = maxZonesDown
        self.maxClustersDown = maxClustersDown
        self.allowWholeRegion = allowWholeRegion
        self.allowAllClusters = allowAllClusters
        self.protected = protected
        self.allowedWindows = allowedWindows
    }

    /// A limit as a count or a share of the whole.
    public enum Limit: Sendable, Equatable, CustomStringConvertible {
        /// No limit.
        case unlimited
        /// At most this many.
        case count(Int)
        /// At most this share of the whole, rounded down (but at least one, unless the share is 0 %).
        case share(Percentage)

        /// The largest allowed count out of `total`.
        public func allowed(outOf total: Int) -> Int {
            switch self {
            case .unlimited: return total
            case let .count(n): return n
            case let .share(p): return p.percent <= 0 ? 0 : max(1, Int((p.fraction * Double(total)).rounded(.down)))
            }
        }

        public var description: String {
            switch self {
            case .unlimited: return "unlimited"
            case let .count(n): return "\(n)"
            case let .share(p): return "\(p)"
            }
        }
    }
}
