/// Failed requests classed by Envoy response flag and code (docs/scoring.md).
public enum Attribution {
    /// The causes, in the order reports list them, with the flags that make each.
    public static let causes: [(cause: String, flags: ResponseFlags)] = [
        ("injected abort (FI)", .faultInjected),
        ("injected delay (DI)", .delayInjected),
        ("no healthy upstream (UH)", .noHealthyUpstream),
        ("connect failure (UF)", .upstreamConnectionFailure),
        ("overflow / circuit breaker (UO)", .upstreamOverflow),
        ("retries exhausted (URX)", .upstreamRetryLimitExceeded),
        ("timeout (UT)", .upstreamRequestTimeout),
        ("reset (UC/UR)", [.upstreamConnectionTermination, .upstreamRemoteReset]),
        ("rate limited (RL)", .rateLimited),
    ]

    /// Per service with requests: flagged requests by cause (a request with several flags counts under
    /// each; a delay may still succeed) and failures by destination cluster; 5xx answers with no
    /// flag are `application 5xx`.
    public static func byService(plan: Plan, timeline: Timeline) -> [ServiceAttribution] {
        plan.services.compactMap { service in
            let series = timeline.traffic.filter { $0.key.service == service.name }
            let all = 0..<timeline.windowCount
            let requests = series.reduce(0) { sum, s in sum + all.reduce(0) { $0 + Int(s.requests[$1]) } }
            guard requests > 0 else { return nil }
            let failures = series.reduce(0) { sum, s in sum + all.reduce(0) { $0 + Int(s.requests[$1]) - Int(s.successes[$1]) } }
            var counts: [(String, Int)] = []
            var flagged = 0
            for (cause, flags) in causes {
                var n = 0
                for s in series {
                    for w in all {
                        for (flag, _) in ResponseFlags.named where flags.contains(flag) { n += s.count(of: flag, window: w) }
                    }
                }
                if n > 0 { counts.append((cause, n)) }
                // Flags that come with a 5xx of their own; URX rides on another flag, DI and RL are no 5xx.
                if flags.isDisjoint(with: [.upstreamRetryLimitExceeded, .delayInjected, .rateLimited]) { flagged += n }
            }
            let fiveXX = series.reduce(0) { sum, s in sum + all.reduce(0) { $0 + s.count(ofClass: 5, window: $1) } }
            let application = max(0, fiveXX - flagged)
            if application > 0 { counts.append(("application 5xx", application)) }
            var clusters: [String: Int] = [:]
            for s in series {
                let failed = all.reduce(0) { $0 + Int(s.requests[$1]) - Int(s.successes[$1]) }
                if failed > 0 { clusters[s.key.destinationCluster ?? "-", default: 0] += failed }
            }
            return ServiceAttribution(service: service.name, requests: requests, failures: failures, causes: counts,
                                      clusters: clusters.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}
