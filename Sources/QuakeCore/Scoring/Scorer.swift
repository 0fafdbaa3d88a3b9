/// Judges a run: every SLO of the plan against the Timeline, the resilience score, fault
/// verification, attribution and stop conditions (docs/scoring.md). Pure: the same plan and
/// timeline always give the same scorecard, whatever target produced the timeline.
public enum Scorer {
    /// Healthy windows in a row that count as recovered.
    public static let recoveryWindows = 5
    /// The success ratio (percent) a service must reach to count as healthy when the plan has no
    /// availability SLO for it.
    public static let defaultHealthyRatio = 99.0

    /// The scorecard of `timeline` for `plan`; `ended` is what ended a live run early beyond the
    /// plan's stop conditions (the kill switch), which the timeline cannot show.
    public static func score(plan: Plan, timeline: Timeline, ended: RunAbort? = nil) -> Scorecard {
        let trip = StopConditionCheck.firstTrip(plan: plan, timeline: timeline)
        let abort = [trip, ended].compactMap { $0 }.min { $0.at < $1.at }
        let end = abort.map { timeline.windowIndex(at: $0.at) + 1 } ?? timeline.windowCount
        let firstFault = plan.schedule.firstFaultAt.map { min(end, timeline.windowIndex(at: $0)) }
        let faults = FaultVerification.outcomes(plan: plan, timeline: timeline)
        let unverified = faults.filter { !$0.verified }
        var results: [SLOResult] = []
        for slo in plan.slos {
            var result = judge(slo, plan: plan, timeline: timeline, end: end, firstFault: firstFault)
            if result.verdict != .inconclusive, let fault = unverified.first {
                result = SLOResult(slo: slo, value: result.value, verdict: .inconclusive,
                                   reason: "fault not verified: \(fault.spec.fault) (\(fault.evidence)); the run did not test what the plan says", budgetLeft: nil)
            }
            results.append(result)
        }
        let judged = results.filter { $0.verdict != .inconclusive }
        let weight = judged.reduce(0) { $0 + $1.slo.weight }
        let score = weight > 0 ? 100 * judged.reduce(0) { $0 + $1.slo.weight * ($1.budgetLeft ?? 0) } / weight : nil
        let verdict: Verdict
        if abort != nil {
            verdict = .aborted
        } else if results.contains(where: { $0.verdict == .fail }) {
            verdict = .fail
        } else if results.contains(where: { $0.verdict == .inconclusive }) || (results.isEmpty) {
            verdict = .inconclusive
        } else {
            verdict = .pass
        }
        let metrics = headline(plan: plan, timeline: timeline, end: end, firstFault: firstFault)
        let attribution = Attribution.byService(plan: plan, timeline: timeline)
        let (findings, followUps) = Findings.derive(plan: plan, timeline: timeline, faults: faults, attribution: attribution)
        return Scorecard(slos: results, score: score.map { min(100, max(0, $0)) }, verdict: verdict, faults: faults, abort: abort,
                         metrics: metrics, attribution: attribution, findings: findings, followUps: followUps)
    }

    /// The success ratio a service must reach to count as healthy: its first availability SLO's objective, else 99 %.
    public static func healthyRatio(service: String, plan: Plan) -> Double {
        for slo in plan.slos {
            if case let .successRatio(s, nil) = slo.sli, s == service, slo.objective.comparison == .atLeast || slo.objective.comparison == .above {
                return slo.objective.threshold
            }
        }
        return defaultHealthyRatio
    }

    static func judge(_ slo: SLOSpec, plan: Plan, timeline: Timeline, end: Int, firstFault: Int?) -> SLOResult {
        if case let .probeSuccess(name) = slo.sli {
            return judgeProbe(slo, name: name, timeline: timeline, end: end, firstFault: firstFault)
        }
        if case let .promQL(query, unit) = slo.sli {
            return judgeMetric(slo, query: query, unit: unit, timeline: timeline, end: end, firstFault: firstFault)
        }
        guard let service = slo.sli.service else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "\(slo.sli) names no service", budgetLeft: nil)
        }
        let client: Locality? = { if case let .successRatio(_, from) = slo.sli { return from }; return nil }()
        let query = TimelineQuery(timeline, service: service, client: client)
        let all = 0..<end
        switch slo.sli {
        case .timeToRecover:
            return judgeRecovery(slo, service: service, plan: plan, query: query, end: end, firstFault: firstFault, timeline: timeline)
        case .replicasReady:
            if let within = slo.objective.within, let start = plan.schedule.firstFaultAt {
                let w = timeline.windowIndex(at: start + within)
                let value = Double(query.replicas[min(w, end - 1)])
                return finish(slo, value: value, detail: "ready replicas \(within) after the first fault", breach: nil)
            }
        default:
            break
        }
        let spans = query.spans(of: slo.window, in: all)
        func value(_ r: Range<Int>) -> Double? {
            switch slo.sli {
            case .successRatio: return query.successRatio(r)
            case let .latency(_, p): return query.latency(percentile: p, r)
            case let .errorBudgetBurn(_, target): return query.successRatio(r).map { (100 - $0) / (100 - target.percent) }
            case .throughput: return query.throughput(r)
            case .errorCount: return query.errorCount(r)
            case let .trafficShare(_, locality):
                return timeline.trafficShare(service: service, locality: locality, regionOf: { plan.topology.cluster(named: $0)?.region }, r)
            case .replicasReady: return r.isEmpty ? nil : Double(r.map { query.replicas[$0] }.min() ?? 0)
            case .timeToRecover, .probeSuccess, .promQL: return nil
            }
        }
        let lowerIsWorse = slo.objective.comparison == .atLeast || slo.objective.comparison == .above
        let measured = spans.compactMap { span in value(span).map { (span, $0) } }
        guard !measured.isEmpty else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no data: no request of \(service) was recorded\(client.map { " from \($0)" } ?? "")", budgetLeft: nil)
        }
        if let f = firstFault, f > 0 {
            let baseline = measured.filter { $0.0.upperBound <= f }
            if let breached = baseline.first(where: { !slo.objective.isMet(by: $0.1) }) {
                return SLOResult(slo: slo, value: breached.1, verdict: .inconclusive,
                                 reason: "baseline already breached before the first fault: \(ValueFormat.text(breached.1, unit: slo.sli.unit)) at \(TimeSpan(microseconds: Int64(breached.0.lowerBound) * timeline.window.microseconds)) against \(slo.objective)", budgetLeft: nil)
            }
        }
        guard let worst = measured.min(by: { lowerIsWorse ? $0.1 < $1.1 : $0.1 > $1.1 }) else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no data", budgetLeft: nil)
        }
        let breach = measured.first { !slo.objective.isMet(by: $0.1) && $0.0.lowerBound >= (firstFault ?? 0) }
        let breachTime = breach.map { TimeSpan(microseconds: Int64($0.0.upperBound) * timeline.window.microseconds) }
        let scope = slo.window.map { "worst \($0) window" } ?? "whole run"
        return finish(slo, value: worst.1, detail: scope, breach: breachTime)
    }

    private static func finish(_ slo: SLOSpec, value: Double, detail: String, breach: TimeSpan?) -> SLOResult {
        let met = slo.objective.isMet(by: value)
        let text = ValueFormat.text(value, unit: slo.sli.unit)
        let reason = met ? "\(text) (\(detail)) meets \(slo.objective)" : "\(text) (\(detail)) breaks \(slo.objective)" + (breach.map { ", first at \($0)" } ?? "")
        return SLOResult(slo: slo, value: value, verdict: met ? .pass : .fail, reason: reason, budgetLeft: ResilienceScore.budgetLeft(value: value, objective: slo.objective), firstBreach: breach)
    }

    /// A PromQL SLI: the mean of the query's values over each evaluation window, the worst one judged.
    private static func judgeMetric(_ slo: SLOSpec, query: String, unit: ObjectiveUnit, timeline: Timeline, end: Int, firstFault: Int?) -> SLOResult {
        guard let series = timeline.metrics.first(where: { $0.query == query }), series.values[0..<end].contains(where: { $0 != nil }) else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no value of the PromQL query: it is measured against the Prometheus of the lab and kubernetes targets", budgetLeft: nil)
        }
        let window = timeline.window
        let per = slo.window.map { max(1, Int(($0.microseconds + window.microseconds - 1) / window.microseconds)) } ?? end
        let spans = per >= end ? [0..<end] : (0...(end - per)).map { $0..<($0 + per) }
        let scale = unit == .percentage ? 100.0 : 1.0
        let values = spans.compactMap { r -> (Range<Int>, Double)? in
            let points = r.compactMap { series.values[$0] }
            return points.isEmpty ? nil : (r, scale * points.reduce(0, +) / Double(points.count))
        }
        let lowerIsWorse = slo.objective.comparison == .atLeast || slo.objective.comparison == .above
        guard let worst = values.min(by: { lowerIsWorse ? $0.1 < $1.1 : $0.1 > $1.1 }) else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no data", budgetLeft: nil)
        }
        let breach = values.first { !slo.objective.isMet(by: $0.1) && $0.0.lowerBound >= (firstFault ?? 0) }
        return finish(slo, value: worst.1, detail: slo.window.map { "worst \($0) window" } ?? "whole run",
                      breach: breach.map { TimeSpan(microseconds: Int64($0.0.upperBound) * window.microseconds) })
    }

    private static func judgeProbe(_ slo: SLOSpec, name: String, timeline: Timeline, end: Int, firstFault: Int?) -> SLOResult {
        guard let probe = timeline.probes.first(where: { $0.name == name }), probe.checks[0..<end].contains(where: { $0 > 0 }) else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no check of probe \(name) was recorded (the model runs service probes only; the lab and kubernetes targets run both, a service probe on kubernetes through target.kubernetes.ingress)", budgetLeft: nil)
        }
        let window = timeline.window
        let per = slo.window.map { max(1, Int(($0.microseconds + window.microseconds - 1) / window.microseconds)) } ?? end
        let spans = per >= end ? [0..<end] : (0...(end - per)).map { $0..<($0 + per) }
        let ratios = spans.compactMap { r -> (Range<Int>, Double)? in
            let checks = r.reduce(0) { $0 + Int(probe.checks[$1]) }
            return checks > 0 ? (r, 100 * Double(r.reduce(0) { $0 + Int(probe.passes[$1]) }) / Double(checks)) : nil
        }
        let lowerIsWorse = slo.objective.comparison == .atLeast || slo.objective.comparison == .above
        guard let worst = ratios.min(by: { lowerIsWorse ? $0.1 < $1.1 : $0.1 > $1.1 }) else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "no data", budgetLeft: nil)
        }
        let breach = ratios.first { !slo.objective.isMet(by: $0.1) && $0.0.lowerBound >= (firstFault ?? 0) }
        return finish(slo, value: worst.1, detail: slo.window.map { "worst \($0) window" } ?? "whole run",
                      breach: breach.map { TimeSpan(microseconds: Int64($0.0.upperBound) * window.microseconds) })
    }

    private static func judgeRecovery(_ slo: SLOSpec, service: String, plan: Plan, query: TimelineQuery, end: Int, firstFault: Int?, timeline: Timeline) -> SLOResult {
        guard let f = firstFault, let start = plan.schedule.firstFaultAt else {
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "the plan breaks nothing, so there is nothing to recover from", budgetLeft: nil)
        }
        switch recovery(query: query, healthy: healthyRatio(service: service, plan: plan), from: f, end: end) {
        case .unhurt:
            return finish(slo, value: 0, detail: "\(service) never dropped below \(Percentage(healthyRatio(service: service, plan: plan))) success", breach: nil)
        case let .recovered(w):
            let seconds = max(0, Double(Int64(w) * timeline.window.microseconds - start.microseconds) / 1_000_000)
            return finish(slo, value: seconds, detail: "from the first fault to \(recoveryWindows) healthy windows in a row", breach: nil)
        case let .never(hurtAt):
            return SLOResult(slo: slo, value: nil, verdict: .fail, reason: "\(service) was hurt at \(TimeSpan(microseconds: Int64(hurtAt) * timeline.window.microseconds)) and did not recover before the run ended", budgetLeft: 0)
        case .unknown:
            return SLOResult(slo: slo, value: nil, verdict: .inconclusive, reason: "the traffic of \(service) was not observed in some windows after the first fault (its source did not answer), so its recovery cannot be told", budgetLeft: nil)
        }
    }

    /// `unknown`: windows whose traffic was not observed leave it open whether the service was hurt
    /// or recovered.
    enum Recovery { case unhurt, recovered(Int), never(Int), unknown }

    /// Looks for the first unhealthy window at or after `from`, then the first of `recoveryWindows`
    /// healthy ones; a window whose traffic was not observed is neither.
    static func recovery(query: TimelineQuery, healthy: Double, from: Int, end: Int) -> Recovery {
        func isHealthy(_ w: Int) -> Bool { (query.successRatio(w..<(w + 1)) ?? 100) >= healthy }
        func blind(after w: Int) -> Bool { query.observedWindows(w..<max(w, end)) < max(w, end) - w }
        guard let hurt = (from..<end).first(where: { !isHealthy($0) }) else { return blind(after: from) ? .unknown : .unhurt }
        var run = 0
        for w in (hurt + 1)..<max(hurt + 1, end) {
            run = isHealthy(w) && !query.unobserved.contains(w) ? run + 1 : 0
            if run == recoveryWindows { return .recovered(w - recoveryWindows + 1) }
        }
        return blind(after: hurt + 1) ? .unknown : .never(hurt)
    }

    static func headline(plan: Plan, timeline: Timeline, end: Int, firstFault: Int?) -> RunMetrics {
        var entry: [String] = []
        for load in plan.traffic where !entry.contains(load.to) { entry.append(load.to) }
        var failed = 0, total = 0
        for service in entry {
            let q = TimelineQuery(timeline, service: service)
            failed += q.failures(0..<end)
            total += (0..<end).reduce(0) { $0 + q.requests[$1] }
        }
        var detect: TimeSpan?, recover: TimeSpan?
        if let service = entry.first, let f = firstFault, let start = plan.schedule.firstFaultAt {
            let q = TimelineQuery(timeline, service: service)
            let healthy = healthyRatio(service: service, plan: plan)
            let w = timeline.window.microseconds
            switch recovery(query: q, healthy: healthy, from: f, end: end) {
            case .unhurt: break
            case let .recovered(r):
                if let hurt = (f..<end).first(where: { (q.successRatio($0..<($0 + 1)) ?? 100) < healthy }) {
                    detect = TimeSpan(microseconds: max(0, Int64(hurt) * w - start.microseconds))
                }
                recover = TimeSpan(microseconds: max(0, Int64(r) * w - start.microseconds))
            case let .never(hurt):
                detect = TimeSpan(microseconds: max(0, Int64(hurt) * w - start.microseconds))
            case .unknown: break
            }
        }
        var burn: Double?
        for slo in plan.slos {
            guard case let .successRatio(s, nil) = slo.sli, slo.objective.threshold < 100 else { continue }
            let q = TimelineQuery(timeline, service: s)
            burn = q.successRatio(0..<end).map { (100 - $0) / (100 - slo.objective.threshold) }
            break
        }
        return RunMetrics(timeToDetect: detect, timeToRecover: recover, failedRequests: failed, totalRequests: total, errorBudgetBurn: burn)
    }
}
