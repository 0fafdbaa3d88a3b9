/// Karmada's first scheduling of a workload's replicas onto clusters (SEMANTICS.md §2.4–2.5).
public enum ReplicaDivision {
    /// Clusters the policy admits, in topology order (before any taint or failure).
    public static func candidates(for policy: PropagationPolicy?, in topology: Topology) -> [Cluster] {
        var clusters = topology.clusters.filter { policy?.clusterAffinity?.admits($0) ?? true }
        if let constraint = policy?.spreadConstraints.first(where: { $0.spreadBy == "cluster" }), let maxGroups = constraint.maxGroups {
            clusters = Array(clusters.prefix(maxGroups))
        }
        return clusters
    }

    /// Replicas per cluster name for `replicas` over `clusters`.
    ///
    /// Static weights: each cluster gets ⌊replicas·w/Σw⌋, and the remainder goes one by one to clusters
    /// sorted by weight (descending), then name. Dynamic weight: the same with each cluster's free pod
    /// capacity as its weight. Aggregated: the fewest clusters, by capacity, that hold every replica.
    public static func divide(replicas: Int, over clusters: [Cluster], mode: ReplicaScheduling.Mode, capacity: (Cluster) -> Int = { $0.podCapacity }) -> [String: Int] {
        guard !clusters.isEmpty, replicas > 0 else { return [:] }
        switch mode {
        case .duplicated:
            return Dictionary(uniqueKeysWithValues: clusters.map { ($0.name, replicas) })
        case let .staticWeights(weights):
            let w = clusters.map { (name: $0.name, weight: weights.isEmpty ? 1 : (weights[$0.name] ?? 0)) }.filter { $0.weight > 0 }
            return byWeight(replicas: replicas, weights: w)
        case .dynamicWeight:
            return byWeight(replicas: replicas, weights: clusters.map { (name: $0.name, weight: max(0, capacity($0))) }.filter { $0.weight > 0 })
        case .aggregated:
            var left = replicas
            var result: [String: Int] = [:]
            for cluster in clusters.sorted(by: { capacity($0) > capacity($1) }) where left > 0 {
                let take = min(left, max(0, capacity(cluster)))
                if take > 0 { result[cluster.name] = take }
                left -= take
            }
            if left > 0, let first = clusters.first { result[first.name, default: 0] += left }
            return result
        }
    }

    /// Divides `replicas` by integer weights with Karmada's remainder rule.
    public static func byWeight(replicas: Int, weights: [(name: String, weight: Int)]) -> [String: Int] {
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return [:] }
        var result: [String: Int] = [:]
        var given = 0
        for (name, weight) in weights {
            let n = replicas * weight / total
            result[name] = n
            given += n
        }
        let order = weights.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.name < $1.name }
        var i = 0
        while given < replicas {
            result[order[i % order.count].name, default: 0] += 1
            given += 1
            i += 1
        }
        return result.filter { $0.value > 0 }
    }
}
