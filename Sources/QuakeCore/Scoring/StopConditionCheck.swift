/// Abort guards: a stop condition trips when its comparison holds over every window of its
/// duration (or one window when it has none), evaluated window by window as a runner would.
public enum StopConditionCheck {
    /// The first stop condition to trip and the end of the window it tripped in; nil if none did.
    public static func firstTrip(plan: Plan, timeline: Timeline) -> RunAbort? {
        var best: (condition: StopCondition, at: TimeSpan, window: Int)?
        for condition in plan.stopConditions {
            if case let .promQL(query, unit) = condition.sli, let series = timeline.metrics.first(where: { $0.query == query }) {
                let scale = unit == .percentage ? 100.0 : 1.0
                let span = max(1, Int((condition.duration.microseconds + timeline.window.microseconds - 1) / timeline.window.microseconds))
                var run = 0
                for w in 0..<timeline.windowCount {
                    if let best, w >= best.window { break }
                    run = series.values[w].map { condition.condition.isMet(by: scale * $0) } ?? false ? run + 1 : 0
                    if run >= span {
                        best = (condition, TimeSpan(microseconds: Int64(w + 1) * timeline.window.microseconds), w)
                        break
                    }
                }
                continue
            }
            guard let service = condition.sli.service else { continue }
            let client: Locality? = { if case let .successRatio(_, from) = condition.sli { return from }; return nil }()
            let query = TimelineQuery(timeline, service: service, client: client)
            let span = max(1, Int((condition.duration.microseconds + timeline.window.microseconds - 1) / timeline.window.microseconds))
            var run = 0
            for w in 0..<timeline.windowCount {
                if let best, w >= best.window { break }
                let holds = value(condition.sli, query: query, timeline: timeline, plan: plan, window: w).map { condition.condition.isMet(by: $0) } ?? false
                run = holds ? run + 1 : 0
                if run >= span {
                    best = (condition, TimeSpan(microseconds: Int64(w + 1) * timeline.window.microseconds), w)
                    break
                }
            }
        }
        return best.map { RunAbort(cause: .stopCondition($0.condition), at: $0.at) }
    }

    private static func value(_ sli: SLI, query: TimelineQuery, timeline: Timeline, plan: Plan, window w: Int) -> Double? {
        let r = w..<(w + 1)
        switch sli {
        case .successRatio: return query.successRatio(r)
        case let .latency(_, p): return query.latency(percentile: p, r)
        case let .errorBudgetBurn(_, target): return query.successRatio(r).map { (100 - $0) / (100 - target.percent) }
        case .throughput: return query.throughput(r)
        case .errorCount: return query.errorCount(r)
        case .replicasReady: return Double(query.replicas[w])
        case let .trafficShare(service, locality):
            return timeline.trafficShare(service: service, locality: locality, regionOf: { plan.topology.cluster(named: $0)?.region }, r)
        case .timeToRecover, .probeSuccess, .promQL: return nil
        }
    }
}
