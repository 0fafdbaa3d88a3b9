import QuakeCore
import Yams

/// Resolution of names and locality paths against the plan's topology and services, with
/// errors that list what does exist.
extension PlanDecoder {
    func resolveService(_ node: Node, _ path: String) -> String? {
        guard let name = reader.string(node, path) else { return nil }
        let names = services.map(\.name)
        guard names.contains(name) else {
            if servicesBroken { return nil }
            reader.error(node, path, "service '\(name)' does not exist" + Suggestion.phrase(for: name, among: names) + "; services are \(names.joined(separator: ", "))")
            return nil
        }
        return name
    }

    /// A client locality `region/cluster/zone`.
    func resolveClientLocality(_ node: Node, _ path: String) -> Locality? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            reader.error(node, path, "'\(text)' is not a locality; write region/cluster/zone, e.g. \(exampleLocality)")
            return nil
        }
        guard resolveRegion(parts[0], node, path) != nil, let cluster = resolveCluster(parts[1], in: parts[0], node, path) else { return nil }
        guard cluster.zones.contains(where: { $0.name == parts[2] }) else {
            reader.error(node, path, "zone '\(text)' does not exist; zones of \(cluster.name) are \(cluster.zones.map(\.name).joined(separator: ", "))" + Suggestion.phrase(for: parts[2], among: cluster.zones.map(\.name)))
            return nil
        }
        return Locality(region: parts[0], cluster: parts[1], zone: parts[2])
    }

    /// A zone: `region/cluster/zone` (one cluster's part) or `region/zone` (the zone in every cluster of the region).
    func resolveZone(_ node: Node, _ path: String) -> (region: String, cluster: String?, zone: String)? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 3:
            return resolveClientLocality(node, path).map { ($0.region, $0.cluster, $0.zone) }
        case 2:
            guard resolveRegion(parts[0], node, path) != nil else { return nil }
            let zones = topology.zoneNames(in: parts[0])
            guard zones.contains(parts[1]) else {
                reader.error(node, path, "zone '\(text)' does not exist; zones of \(parts[0]) are \(zones.joined(separator: ", "))" + Suggestion.phrase(for: parts[1], among: zones))
                return nil
            }
            return (parts[0], nil, parts[1])
        default:
            reader.error(node, path, "'\(text)' is not a zone; write region/cluster/zone or region/zone, e.g. \(exampleLocality)")
            return nil
        }
    }

    /// A cluster by name, or `region/cluster`.
    func resolveCluster(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2 {
            guard resolveRegion(parts[0], node, path) != nil else { return nil }
            return resolveCluster(parts[1], in: parts[0], node, path)?.name
        }
        let names = topology.clusters.map(\.name)
        guard parts.count == 1, names.contains(text) else {
            reader.error(node, path, "cluster '\(text)' does not exist" + Suggestion.phrase(for: text, among: names) + "; clusters are \(names.joined(separator: ", "))")
            return nil
        }
        return text
    }

    func resolveRegion(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        return resolveRegion(text, node, path)?.name
    }

    /// A node by name.
    func resolveNode(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name = parts.last ?? text
        if let found = topology.node(named: name), parts.count > 1 {
            let actual = [found.locality.region, found.locality.cluster, found.locality.zone]
            guard parts.count == 4, Array(parts.prefix(3)) == actual else {
                reader.error(node, path, "'\(text)' does not name node \(name)'s place: it is \(actual.joined(separator: "/"))/\(name) (or write just \(name))")
                return nil
            }
        }
        guard topology.node(named: name) != nil else {
            let names = topology.nodes.map(\.name)
            let shown = names.count > 12 ? names.prefix(12).joined(separator: ", ") + ", …" : names.joined(separator: ", ")
            reader.error(node, path, "node '\(text)' does not exist" + Suggestion.phrase(for: name, among: names) + "; nodes are \(shown)")
            return nil
        }
        return name
    }

    /// A locality pattern for partitions: `region`, `region/cluster` or `region/cluster/zone`.
    func resolveLocalityPattern(_ node: Node, _ path: String) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        guard !topologyBroken else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return resolveRegion(parts[0], node, path).map { _ in text }
        case 2: return resolveCluster(node, path).map { _ in text }
        case 3: return resolveClientLocality(node, path).map { _ in text }
        default:
            reader.error(node, path, "'\(text)' is not a locality; write region, region/cluster or region/cluster/zone")
            return nil
        }
    }

    private func resolveRegion(_ name: String, _ node: Node, _ path: String) -> Region? {
        guard let region = topology.region(named: name) else {
            let names = topology.regions.map(\.name)
            reader.error(node, path, "region '\(name)' does not exist" + Suggestion.phrase(for: name, among: names) + "; regions are \(names.joined(separator: ", "))")
            return nil
        }
        return region
    }

    private func resolveCluster(_ name: String, in regionName: String, _ node: Node, _ path: String) -> Cluster? {
        let clusters = topology.region(named: regionName)?.clusters ?? []
        guard let cluster = clusters.first(where: { $0.name == name }) else {
            reader.error(node, path, "cluster '\(name)' is not in region \(regionName)" + Suggestion.phrase(for: name, among: clusters.map(\.name)) + "; its clusters are \(clusters.map(\.name).joined(separator: ", "))")
            return nil
        }
        return cluster
    }

    private var exampleLocality: String {
        topology.clusters.first.flatMap { c in c.zones.first.map { "\(c.region)/\(c.name)/\($0.name)" } } ?? "region1/cluster1/a"
    }
}
