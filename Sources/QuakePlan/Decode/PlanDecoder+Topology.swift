import QuakeCore
import Yams

extension PlanDecoder {
    func decodeTopology(_ node: Node) -> Topology? {
        guard let m = reader.mapping(node, "topology", keys: ["latency", "regions"], required: ["regions"]) else { return nil }
        var latency = Latency()
        if let l = m["latency"], let lm = reader.mapping(l, m.path("latency"), keys: ["sameZone", "crossZone", "crossRegion"]) {
            if let v = lm["sameZone"].flatMap({ reader.duration($0, lm.path("sameZone")) }) { latency.sameZone = v }
            if let v = lm["crossZone"].flatMap({ reader.duration($0, lm.path("crossZone")) }) { latency.crossZone = v }
            if let v = lm["crossRegion"].flatMap({ reader.duration($0, lm.path("crossRegion")) }) { latency.crossRegion = v }
        }
        var regions: [Region] = []
        var clusterNames: Set<String> = []
        var nodeNames: Set<String> = []
        let regionsPath = m.path("regions")
        for regionEntry in m["regions"].flatMap({ reader.namedEntries($0, regionsPath, what: "regions") }) ?? [] {
            let regionPath = reader.join(regionsPath, regionEntry.key)
            checkName(regionEntry.key, regionEntry.keyNode, regionPath, what: "region")
            var clusters: [Cluster] = []
            for clusterEntry in reader.namedEntries(regionEntry.value, regionPath, what: "clusters") ?? [] {
                let clusterPath = reader.join(regionPath, clusterEntry.key)
                checkName(clusterEntry.key, clusterEntry.keyNode, clusterPath, what: "cluster")
                if !clusterNames.insert(clusterEntry.key).inserted {
                    reader.error(clusterEntry.keyNode, clusterPath, "cluster '\(clusterEntry.key)' is declared twice; Karmada cluster names are unique across regions")
                }
                if let cluster = decodeCluster(clusterEntry, region: regionEntry.key, path: clusterPath, nodeNames: &nodeNames) {
                    clusters.append(cluster)
                }
            }
            if clusters.isEmpty { reader.error(regionEntry.value, regionPath, "a region needs at least one cluster") }
            regions.append(Region(name: regionEntry.key, clusters: clusters))
        }
        if regions.isEmpty, let node = m["regions"], case let .mapping(map) = node, map.isEmpty {
            reader.error(node, regionsPath, "the topology needs at least one region")
        }
        for region in regions {
            let clusterSet = Set(region.clusters.map(\.name))
            for zone in region.clusters.flatMap(\.zones) where clusterSet.contains(zone.name) {
                reader.error(m["regions"], regionsPath, "zone '\(zone.name)' of region \(region.name) has the name of a cluster; zone paths like '\(region.name)/\(zone.name)' would be ambiguous")
            }
        }
        return Topology(regions: regions, latency: latency)
    }

    private func decodeCluster(_ entry: YAMLMapping.Entry, region: String, path: String, nodeNames: inout Set<String>) -> Cluster? {
        guard let m = reader.mapping(entry.value, path, keys: ["zones", "labels", "provider", "syncMode"], required: ["zones"], what: "a cluster") else { return nil }
        var zones: [Zone] = []
        let zonesPath = m.path("zones")
        for zoneEntry in m["zones"].flatMap({ reader.namedEntries($0, zonesPath, what: "zones") }) ?? [] {
            let zonePath = reader.join(zonesPath, zoneEntry.key)
            checkName(zoneEntry.key, zoneEntry.keyNode, zonePath, what: "zone")
            let locality = Locality(region: region, cluster: entry.key, zone: zoneEntry.key)
            let nodes = decodeNodes(zoneEntry.value, zonePath, locality: locality)
            for node in nodes where !nodeNames.insert(node.name).inserted {
                reader.error(zoneEntry.value, zonePath, "node '\(node.name)' is declared twice; node names are unique in a plan")
            }
            zones.append(Zone(name: zoneEntry.key, nodes: nodes))
        }
        if zones.isEmpty, let node = m["zones"] { reader.error(node, zonesPath, "a cluster needs at least one zone") }
        let syncMode = m["syncMode"].flatMap { reader.choice($0, m.path("syncMode"), among: SyncMode.allCases.map(\.rawValue)) }.flatMap(SyncMode.init) ?? .push
        return Cluster(
            name: entry.key, region: region, zones: zones,
            labels: m["labels"].flatMap { reader.labels($0, m.path("labels")) } ?? [:],
            provider: m["provider"].flatMap { reader.string($0, m.path("provider")) },
            syncMode: syncMode
        )
    }

    /// A zone is `4` (a node count), or `{nodes: 4 | [names], labels, podCapacity}`.
    private func decodeNodes(_ node: Node, _ path: String, locality: Locality) -> [ClusterNode] {
        var countNode: Node? = node
        var countPath = path
        var labels: [String: String] = [:]
        var capacity = 110
        if case .mapping = node {
            guard let m = reader.mapping(node, path, keys: ["nodes", "labels", "podCapacity"], required: ["nodes"], what: "a zone") else { return [] }
            countNode = m["nodes"]
            countPath = m.path("nodes")
            labels = m["labels"].flatMap { reader.labels($0, m.path("labels")) } ?? [:]
            capacity = m["podCapacity"].flatMap { reader.int($0, m.path("podCapacity"), in: 1...10_000) } ?? capacity
            if case .sequence = countNode, let countNode {
                let names = reader.strings(countNode, m.path("nodes")) ?? []
                if names.isEmpty { reader.error(countNode, m.path("nodes"), "a zone needs at least one node") }
                for name in names { checkName(name, countNode, m.path("nodes"), what: "node") }
                return names.map { ClusterNode(name: $0, locality: locality, labels: labels, podCapacity: capacity) }
            }
        }
        guard let countNode, let count = reader.int(countNode, countPath, in: 1...10_000) else { return [] }
        return (1...count).map { i in
            ClusterNode(name: "\(locality.cluster)-\(locality.zone)-\(i)", locality: locality, labels: labels, podCapacity: capacity)
        }
    }

    func checkName(_ name: String, _ node: Node, _ path: String, what: String) {
        if name.contains("/") || name.contains(where: \.isWhitespace) || name.isEmpty {
            reader.error(node, path, "'\(name)' is not a usable \(what) name: no '/' or spaces (paths like region/cluster/zone use '/')")
        }
    }
}
