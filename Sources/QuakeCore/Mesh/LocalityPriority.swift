/// Envoy priorities of endpoints as Istio assigns them for one client proxy (SEMANTICS.md §3.2).
///
/// Shared by the model, the lab's Envoy configuration and `quake explain`, so all three agree.
public enum LocalityPriority {
    /// The labels Istio matches `failoverPriority` entries against, for an endpoint at `locality`.
    public static func labels(of locality: Locality, extra: [String: String] = [:]) -> [String: String] {
        var labels = extra
        labels["topology.kubernetes.io/region"] = locality.region
        labels["topology.kubernetes.io/zone"] = locality.zone
        labels["topology.istio.io/subzone"] = ""
        labels["topology.istio.io/cluster"] = locality.cluster
        return labels
    }

    /// The raw (not yet compacted) priority of one endpoint for a client.
    ///
    /// Without outlier detection or with locality load balancing off, every endpoint is priority 0.
    public static func rawPriority(client: Locality, endpoint: Locality, clientLabels: [String: String], endpointLabels: [String: String], setting: LocalityLbSetting?, hasOutlierDetection: Bool) -> Int {
        let setting = setting ?? LocalityLbSetting()
        guard hasOutlierDetection, setting.enabled, setting.distribute.isEmpty else { return 0 }
        let fp = setting.failoverPriority
        let applyLocality = fp.isEmpty || !setting.failover.isEmpty
        var locality = 0
        if applyLocality {
            if client.region != endpoint.region {
                let rule = setting.failover.first { $0.from == client.region }
                locality = (rule != nil && rule?.to != endpoint.region) ? 4 : 3
            } else if client.zone != endpoint.zone {
                locality = 2
            } else {
                locality = 0
            }
        }
        guard !fp.isEmpty else { return locality }
        var fpPriority = 0
        for (j, entry) in fp.enumerated() {
            let matches: Bool
            if let eq = entry.firstIndex(of: "=") {
                let key = String(entry[..<eq])
                let value = String(entry[entry.index(after: eq)...])
                matches = endpointLabels[key] == value
            } else {
                matches = endpointLabels[entry] != nil && endpointLabels[entry] == clientLabels[entry]
            }
            if !matches {
                fpPriority = fp.count - j
                break
            }
        }
        return applyLocality ? fpPriority * 5 + locality : fpPriority
    }

    /// Priorities of every endpoint locality for one client, compacted to 0…K as Istio does.
    public static func priorities(client: Locality, endpoints: [Locality], setting: LocalityLbSetting?, hasOutlierDetection: Bool) -> [Locality: Int] {
        let clientLabels = labels(of: client)
        var raw: [Locality: Int] = [:]
        for endpoint in endpoints {
            raw[endpoint] = rawPriority(client: client, endpoint: endpoint, clientLabels: clientLabels, endpointLabels: labels(of: endpoint), setting: setting, hasOutlierDetection: hasOutlierDetection)
        }
        let levels = Array(Set(raw.values)).sorted()
        return raw.mapValues { value in levels.firstIndex(of: value) ?? 0 }
    }
}
