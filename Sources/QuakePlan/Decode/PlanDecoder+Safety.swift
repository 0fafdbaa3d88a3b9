import QuakeCore
import Yams

extension PlanDecoder {
    func decodeSafety(_ node: Node) -> SafetyPolicy {
        var policy = SafetyPolicy()
        guard let m = reader.mapping(node, "safety", keys: ["maxNodesDown", "maxZonesDown", "maxClustersDown", "allowWholeRegion", "allowAllClusters", "protected", "allowedWindows"]) else { return policy }
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
        if let node = m["allowedWindows"], let items = reader.sequence(node, m.path("allowedWindows"), of: "time windows") {
            for (i, item) in items.enumerated() {
                let path = "\(m.path("allowedWindows"))[\(i)]"
                guard let text = reader.string(item, path) else { continue }
                guard let window = TimeWindow(parsing: text) else {
                    reader.error(item, path, "'\(text)' is not a time window; write it as [DAYS ]HH:MM-HH:MM[ ZONE], such as 'Mon-Fri 02:00-05:00 Europe/Berlin' (days: daily, Mon … Sun, ranges and comma lists; zone: an IANA name, UTC by default)")
                    continue
                }
                policy.allowedWindows.append(window)
            }
        }
        return policy
    }
}
