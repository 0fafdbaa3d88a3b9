import QuakeCore

/// Which real nodes a plan's nodes and zones stand for in one member cluster.
///
/// A plan names its nodes `<cluster>-<zone>-<i>` (the topology's counts); on a real cluster, node
/// `i` of a zone is the `i`-th node, by name, whose `topology.kubernetes.io/zone` label is the
/// zone's name. A zone fault takes every real node of the zone, however many there are.
public struct KubeNodeMap: Sendable, Equatable {
    /// The zone label every node carries.
    public static let zoneLabel = "topology.kubernetes.io/zone"

    /// The real node names of each zone of the cluster, sorted.
    public private(set) var zones: [String: [String]] = [:]
    /// The real node of each plan node of the cluster.
    public private(set) var nodes: [String: String] = [:]

    /// The map of `cluster` from the API's node list (`GET /api/v1/nodes`).
    ///
    /// - Throws: ``KubeError`` `config` when a plan zone has no real node, or fewer than the plan
    ///   names, saying how many it has.
    public init(cluster: Cluster, nodeList: KubeJSON) throws {
        var byZone: [String: [String]] = [:]
        for item in nodeList["items"]?.array ?? [] {
            guard let name = item[path: "metadata.name"]?.string, let zone = item[path: "metadata.labels"]?[Self.zoneLabel]?.string else { continue }
            byZone[zone, default: []].append(name)
        }
        for zone in cluster.zones {
            let real = (byZone[zone.name] ?? []).sorted()
            guard real.count >= zone.nodes.count else {
                let found = byZone.keys.sorted().map { "\($0) (\(byZone[$0]?.count ?? 0))" }.joined(separator: ", ")
                throw KubeError(code: .config, message: "the plan has \(zone.nodes.count) nodes in zone \(zone.name) of cluster \(cluster.name), the cluster has \(real.count) with \(Self.zoneLabel)=\(zone.name) (zones found: \(found.isEmpty ? "none" : found))", location: cluster.name)
            }
            zones[zone.name] = real
            for (i, node) in zone.nodes.enumerated() { nodes[node.name] = real[i] }
        }
    }
}
