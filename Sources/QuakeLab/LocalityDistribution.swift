import QuakeCore

/// Istio's `localityLbSetting.distribute` for one client: each endpoint locality's weight, as the
/// model computes it (a `to` pattern's weight split evenly over the topology's zones it matches;
/// zones no pattern matches get none). Patterns are `region/zone/subzone` with `*`; the subzone is
/// empty. Nil when no rule's `from` matches the client (or locality load balancing is off): then
/// Envoy weighs no locality.
///
/// The same rule as the model's `Simulation.distributeWeights`; both should move to QuakeCore/Mesh.
enum LocalityDistribution {
    /// Weights by endpoint locality over every zone of `topology`, or nil.
    static func weights(client: Locality, topology: Topology, setting: LocalityLbSetting?) -> [Locality: Double]? {
        guard let setting, setting.enabled else { return nil }
        guard let rule = setting.distribute.first(where: { matches($0.from, client) }) else { return nil }
        let zones = topology.clusters.flatMap { cluster in
            cluster.zones.map { Locality(region: cluster.region, cluster: cluster.name, zone: $0.name) }
        }
        var weights = [Double](repeating: 0, count: zones.count)
        for target in rule.to {
            let matching = zones.indices.filter { matches(target.pattern, zones[$0]) && weights[$0] == 0 }
            for z in matching { weights[z] = Double(target.weight) / Double(matching.count) }
        }
        var result: [Locality: Double] = [:]
        for (z, locality) in zones.enumerated() { result[locality] = weights[z] }
        return result
    }

    private static func matches(_ pattern: String, _ locality: Locality) -> Bool {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let values = [locality.region, locality.zone, ""]
        for (i, part) in parts.enumerated() {
            if part == "*" { return true }
            guard i < values.count, part == values[i] else { return false }
        }
        return true
    }
}
