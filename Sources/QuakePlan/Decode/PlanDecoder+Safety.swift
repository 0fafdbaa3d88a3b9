import QuakeCore
import Yams

extension PlanDecoder {
    func decodeSafety(_ node: Node) -> SafetyPolicy {
        var policy = SafetyPolicy()
        guard let m = reader.mapping(node, "safety", keys: ["maxNodesDown", "maxZonesDown", "maxClustersDown", "allowWholeRegion", "allowAllClusters", "protected"]) else { return policy }
        func limit(_ key: String) -> SafetyPolicy.Limit? {
            guard let n = m[key] else { return nil }
            if let text = n.string, text.hasSuffix("%") { return reader.percentage(n, m.path(key)).map(SafetyPolicy.Limit.share) }
            return reader.int(n, m.path(key), in: 0...1_000_000).map(SafetyPolicy.Limit.count)
        }
        if let v = limit("maxNodesDown") { policy.maxNodesDown = v }
        if let v = limit("maxZonesDown") { policy.maxZonesDown = v }
        if let v = limit("maxClustersDown") { policy.maxClustersDown = v }
        if let v = m["allowWholeRegion"].flatMap({ reader.bool($0, m.path("allowWholeRegion")) }) { policy.allowWholeRegion = v }
        if let v = m["allowAllClusters"].flatMap({ reader.bool($0, m.path("allowAllClusters")) }) { policy.allowAllClusters = v }
        if let v = m["protected"].flatMap({ reader.strings($0, m.path("protected")) }) { policy.protected = v }
        return policy
    }
}
