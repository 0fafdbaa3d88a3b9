import QuakeCore

/// The Envoys of every client locality: endpoint (EDS) pushes, outlier detection and its sweeps.
extension Simulation {
    /// Pushes the service's current endpoints to every client locality's Envoy, with Istio's
    /// priorities compacted over the localities that have endpoints.
    mutating func rebuildEnvoys(service s: Int) {
        let endpoints = pods.indices.filter { pods[$0].service == s && pods[$0].inEndpoints }
        for z in zones.indices {
            let raw = endpoints.map { rawPriority[s][z][pods[$0].zone] }
            let levels = Array(Set(raw)).sorted()
            let hosts = zip(endpoints, raw).map { (pod: $0, priority: levels.firstIndex(of: $1) ?? 0, cluster: pods[$0].cluster, zone: pods[$0].zone) }
            envoys[envoyIndex(zone: z, service: s)].setHosts(hosts, zoneWeights: localityWeights[s][z], overprovisioning: timings.overprovisioningFactor, panicThreshold: panicThresholds[s])
        }
    }

    /// Istio's `distribute` for a client zone: each endpoint zone's weight (a `to` pattern's weight
    /// split evenly over the zones it matches; zones no pattern matches get none), or nil when no
    /// rule's `from` matches the client. Localities are `region/zone/subzone`, with an empty subzone.
    static func distributeWeights(client: Locality, zones: [Locality], setting: LocalityLbSetting?) -> [Double]? {
        guard let setting, setting.enabled else { return nil }
        func matches(_ pattern: String, _ l: Locality) -> Bool {
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let values = [l.region, l.zone, ""]
            for (i, part) in parts.enumerated() {
                if part == "*" { return true }
                guard i < values.count, part == values[i] else { return false }
            }
            return true
        }
        guard let rule = setting.distribute.first(where: { matches($0.from, client) }) else { return nil }
        var weights = [Double](repeating: 0, count: zones.count)
        for target in rule.to {
            let matching = zones.indices.filter { z in matches(target.pattern, zones[z]) && weights[z] == 0 }
            for z in matching { weights[z] = Double(target.weight) / Double(matching.count) }
        }
        return weights
    }

    /// An upstream attempt's request went out (the host's request count rises), or the attempt
    /// finished: the counts drop and outlier detection counts it.
    mutating func complete(_ c: Completion) {
        let e = Int(c.envoy)
        guard c.kind != .sent else {
            envoys[e].requestSent(pod: Int(c.pod), host: Int(c.host), generation: c.generation)
            return
        }
        let s = e % services.count
        let od = outlier[s]
        switch envoys[e].finish(pod: Int(c.pod), host: Int(c.host), generation: c.generation, isRetry: c.isRetry, sent: c.kind == .ended, status: Int(c.status), localOriginFailure: c.localOriginFailure, now: now, config: od) {
        case .none:
            break
        case .ejected:
            envoys[e].refreshHealth()
            event(.hostEjected, pods[Int(c.pod)].name, "by \(zones[envoys[e].clientZone].locality)'s Envoy for \(services[s].name) (\(envoys[e].ejectedCount) of \(envoys[e].hosts.count) ejected)")
        case .blocked:
            guard let od else { return }
            event(.ejectionBlocked, pods[Int(c.pod)].name, "by \(zones[envoys[e].clientZone].locality)'s Envoy: maxEjectionPercent \(od.maxEjectionPercent) reached (\(envoys[e].ejectedCount) of \(envoys[e].hosts.count) ejected)")
        }
    }

    /// Envoy's outlier-detection sweep, every `interval`.
    mutating func sweep(envoy e: Int) {
        let s = envoys[e].service
        guard let od = outlier[s] else { return }
        let returned = envoys[e].sweep(now: now, config: od)
        if !returned.isEmpty {
            envoys[e].refreshHealth()
            for p in returned { event(.hostReturned, pods[p].name, "to \(zones[envoys[e].clientZone].locality)'s Envoy for \(services[s].name)") }
        }
        schedule(now + od.interval.microseconds, .outlierSweep(envoy: e))
    }
}
