/// Regions → clusters → zones → nodes, with the latency of each kind of hop.
public struct Topology: Sendable {
    /// Regions in the order the plan lists them.
    public var regions: [Region]
    /// One-way network latency by how far apart two endpoints are.
    public var latency: Latency

    /// A topology from its regions and latencies.
    public init(regions: [Region], latency: Latency = Latency()) {
        self.regions = regions
        self.latency = latency
    }

    /// Every cluster, region by region.
    public var clusters: [Cluster] { regions.flatMap(\.clusters) }

    /// Every node, cluster by cluster.
    public var nodes: [ClusterNode] { clusters.flatMap { $0.zones.flatMap(\.nodes) } }

    /// The cluster named `name`.
    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name } }

    /// The node named `name`.
    public func node(named name: String) -> ClusterNode? { nodes.first { $0.name == name } }

    /// The region named `name`.
    public func region(named name: String) -> Region? { regions.first { $0.name == name } }

    /// The distinct zone names of `region` (a zone may span clusters).
    public func zoneNames(in region: String) -> [String] {
        var seen: [String] = []
        for cluster in self.region(named: region)?.clusters ?? [] {
            for zone in cluster.zones where !seen.contains(zone.name) { seen.append(zone.name) }
        }
        return seen
    }
}

/// One-way latency of a hop by the distance it crosses.
public struct Latency: Sendable, Equatable {
    /// Between two endpoints of the same zone.
    public var sameZone: TimeSpan
    /// Between zones of one region.
    public var crossZone: TimeSpan
    /// Between regions.
    public var crossRegion: TimeSpan

    /// Latencies, with defaults typical of a cloud: 0.2 ms, 1 ms, 30 ms.
    public init(sameZone: TimeSpan = .milliseconds(0.2), crossZone: TimeSpan = .milliseconds(1), crossRegion: TimeSpan = .milliseconds(30)) {
        self.sameZone = sameZone
        self.crossZone = crossZone
        self.crossRegion = crossRegion
    }

    /// The latency between two localities.
    public func between(_ a: Locality, _ b: Locality) -> TimeSpan {
        if a.region != b.region { return crossRegion }
        if a.zone != b.zone { return crossZone }
        return sameZone
    }
}

/// A region: a set of clusters that share a geography.
public struct Region: Sendable {
    /// The region's name, as in `topology.kubernetes.io/region`.
    public var name: String
    /// Clusters in the order the plan lists them.
    public var clusters: [Cluster]

    /// A region from its name and clusters.
    public init(name: String, clusters: [Cluster]) {
        self.name = name
        self.clusters = clusters
    }
}

/// A Kubernetes cluster, a member of the Karmada federation.
public struct Cluster: Sendable {
    /// The cluster's name, unique in the plan (Karmada's `Cluster` name and `topology.istio.io/cluster`).
    public var name: String
    /// The region the cluster is in.
    public var region: String
    /// Zones in the order the plan lists them.
    public var zones: [Zone]
    /// Labels of the Karmada `Cluster` object (matched by `clusterAffinity.labelSelector`).
    public var labels: [String: String]
    /// The cloud provider name (matched by `clusterAffinity.fieldSelector`).
    public var provider: String?
    /// How Karmada reaches the cluster: `Push` (the control plane probes it) or `Pull` (an agent reports).
    public var syncMode: SyncMode

    /// A cluster from its parts.
    public init(name: String, region: String, zones: [Zone], labels: [String: String] = [:], provider: String? = nil, syncMode: SyncMode = .push) {
        self.name = name
        self.region = region
        self.zones = zones
        self.labels = labels
        self.provider = provider
        self.syncMode = syncMode
    }

    /// Every node of the cluster, zone by zone.
    public var nodes: [ClusterNode] { zones.flatMap(\.nodes) }

    /// How many pods the cluster can hold (the sum of its nodes' pod capacity).
    public var podCapacity: Int { nodes.reduce(0) { $0 + $1.podCapacity } }
}

/// Karmada's cluster sync mode.
public enum SyncMode: String, Sendable, CaseIterable {
    /// The Karmada control plane probes the member's `/readyz`.
    case push = "Push"
    /// A karmada-agent in the member posts status and renews a lease.
    case pull = "Pull"
}

/// A zone of one cluster (`topology.kubernetes.io/zone`).
public struct Zone: Sendable {
    /// The zone's name; the same name in two clusters of a region is the same availability zone.
    public var name: String
    /// The nodes of this cluster in this zone.
    public var nodes: [ClusterNode]

    /// A zone from its name and nodes.
    public init(name: String, nodes: [ClusterNode]) {
        self.name = name
        self.nodes = nodes
    }
}

/// A worker node.
public struct ClusterNode: Sendable {
    /// The node's name, unique in the plan.
    public var name: String
    /// Where the node is.
    public var locality: Locality
    /// Node labels (besides the topology labels Quake adds).
    public var labels: [String: String]
    /// How many pods the node can hold (Kubernetes' default `maxPods` is 110).
    public var podCapacity: Int

    /// A node from its parts.
    public init(name: String, locality: Locality, labels: [String: String] = [:], podCapacity: Int = 110) {
        self.name = name
        self.locality = locality
        self.labels = labels
        self.podCapacity = podCapacity
    }
}

/// Where something runs: region, cluster and zone.
public struct Locality: Hashable, Sendable, CustomStringConvertible {
    /// `topology.kubernetes.io/region`.
    public var region: String
    /// `topology.istio.io/cluster`, the Karmada member cluster.
    public var cluster: String
    /// `topology.kubernetes.io/zone`.
    public var zone: String

    /// A locality from its parts.
    public init(region: String, cluster: String, zone: String) {
        self.region = region
        self.cluster = cluster
        self.zone = zone
    }

    /// `region/cluster/zone`, the spelling plans use.
    public var description: String { "\(region)/\(cluster)/\(zone)" }

    /// Whether this locality lies in `pattern`, a partition side's spelling: `region`,
    /// `region/cluster` or `region/cluster/zone`.
    public func isInside(_ pattern: String) -> Bool {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return parts[0] == region
        case 2: return parts[0] == region && parts[1] == cluster
        case 3: return parts[0] == region && parts[1] == cluster && parts[2] == zone
        default: return false
        }
    }
}
