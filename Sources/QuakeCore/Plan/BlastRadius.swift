/// What a schedule takes down at once, checked against a `SafetyPolicy` before anything runs.
public enum BlastRadius {
    /// Which scheduled item breaks a limit, and how.
    public struct Violation: Sendable, Equatable {
        /// Index into `schedule.faults`, or nil when a procedure breaks the limit.
        public var faultIndex: Int?
        /// Index into `schedule.procedures`, when a procedure breaks the limit.
        public var procedureIndex: Int?
        /// When the limit is first broken.
        public var at: TimeSpan
        /// What is broken, for people.
        public var message: String
    }

    /// One interval during which some nodes are down.
    struct Outage {
        var start: TimeSpan
        var end: TimeSpan
        var nodes: Set<String>
        var faultIndex: Int?
        var procedureIndex: Int?
    }

    /// The nodes a fault takes down (none for HTTP faults, partitions and pod kills).
    public static func nodesDown(by fault: Fault, in topology: Topology) -> [String] {
        switch fault {
        case let .nodeCrash(n), let .nodeHang(n): return [n]
        case let .zoneOutage(region, cluster, zone):
            return topology.clusters.filter { $0.region == region && (cluster == nil || $0.name == cluster) }
                .flatMap { $0.zones.filter { $0.name == zone }.flatMap(\.nodes) }.map(\.name)
        case let .clusterOutage(c): return topology.cluster(named: c)?.nodes.map(\.name) ?? []
        case let .regionOutage(r): return topology.region(named: r)?.clusters.flatMap(\.nodes).map(\.name) ?? []
        case .httpAbort, .httpDelay, .partition, .podKill: return []
        }
    }

    /// Every limit the schedule breaks, the earliest breach of each rule first.
    public static func violations(of schedule: Schedule, in topology: Topology, policy: SafetyPolicy) -> [Violation] {
        var outages: [Outage] = []
        for (i, f) in schedule.faults.enumerated() {
            let nodes = nodesDown(by: f.fault, in: topology)
            if !nodes.isEmpty { outages.append(Outage(start: f.at, end: f.end(experimentDuration: schedule.duration), nodes: Set(nodes), faultIndex: i)) }
        }
        for (i, p) in schedule.procedures.enumerated() {
            for (start, step) in zip(p.stepStarts, p.steps) {
                if case let .upgrade(c, takes) = step.action, let cluster = topology.cluster(named: c) {
                    outages.append(Outage(start: start, end: start + takes, nodes: Set(cluster.nodes.map(\.name)), procedureIndex: i))
                }
            }
        }
        let zoneUnits = topology.clusters.flatMap { c in c.zones.map { (cluster: c, zone: $0) } }
        var reported: Set<String> = []
        var result: [Violation] = []
        for outage in outages.sorted(by: { $0.start < $1.start }) {
            let t = outage.start
            let down = outages.filter { $0.start <= t && t < $0.end }.reduce(into: Set<String>()) { $0.formUnion($1.nodes) }
            let zonesDown = zoneUnits.filter { !$0.zone.nodes.isEmpty && $0.zone.nodes.allSatisfy { down.contains($0.name) } }
            let clustersDown = topology.clusters.filter { !$0.nodes.isEmpty && $0.nodes.allSatisfy { down.contains($0.name) } }
            func report(_ rule: String, _ message: String) {
                guard reported.insert(rule).inserted else { return }
                result.append(Violation(faultIndex: outage.faultIndex, procedureIndex: outage.procedureIndex, at: t, message: message))
            }
            let nodeLimit = policy.maxNodesDown.allowed(outOf: topology.nodes.count)
            if down.count > nodeLimit {
                report("nodes", "at \(t) \(down.count) of \(topology.nodes.count) nodes are down at once; safety.maxNodesDown allows \(nodeLimit)")
            }
            let zoneLimit = policy.maxZonesDown.allowed(outOf: zoneUnits.count)
            if zonesDown.count > zoneLimit {
                report("zones", "at \(t) \(zonesDown.count) zones are down at once (\(zonesDown.map { "\($0.cluster.name)/\($0.zone.name)" }.joined(separator: ", "))); safety.maxZonesDown allows \(zoneLimit)")
            }
            let clusterLimit = policy.maxClustersDown.allowed(outOf: topology.clusters.count)
            if clustersDown.count > clusterLimit {
                report("clusters", "at \(t) \(clustersDown.count) clusters are down at once (\(clustersDown.map(\.name).joined(separator: ", "))); safety.maxClustersDown allows \(clusterLimit)")
            }
            if !policy.allowAllClusters, !clustersDown.isEmpty, clustersDown.count == topology.clusters.filter({ !$0.nodes.isEmpty }).count {
                report("all-clusters", "at \(t) every cluster is down; nothing would be left to fail over to (set safety.allowAllClusters: true to allow it)")
            }
            if !policy.allowWholeRegion {
                let regions = topology.regions.filter { !$0.clusters.flatMap(\.nodes).isEmpty }
                for region in regions where region.clusters.allSatisfy({ c in c.nodes.allSatisfy { down.contains($0.name) } }) {
                    report("region-\(region.name)", "at \(t) every zone of region \(region.name) is down (set safety.allowWholeRegion: true to allow it)")
                }
            }
        }
        return result
    }
}
