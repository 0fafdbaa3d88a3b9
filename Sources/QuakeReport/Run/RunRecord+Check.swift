/// Whether a run record read from a file holds together, before anything renders it: a record
/// that decodes but does not (a window of no length, series of unequal lengths, a time no clock
/// reaches) is refused with what is wrong, rather than crashing the renderers.
extension RunRecord {
    /// The longest run time a record may give, in seconds (about 31 years): times are kept in
    /// whole microseconds, and the renderers scale them further.
    public static let longestSeconds = 1e9
    /// The most any count of a record may be (a trillion): sums of many of them stay in range.
    public static let largestCount = 1_000_000_000_000

    /// What is wrong with this record, or nil when it holds together.
    public var problem: String? {
        func time(_ value: Double, _ what: String) -> String? {
            value.isFinite && value >= 0 && value <= Self.longestSeconds ? nil : "\(what) is \(value) s, not a time from 0 to \(Int(Self.longestSeconds)) s"
        }
        func number(_ value: Double?, _ what: String) -> String? {
            value.map { $0.isFinite ? nil : "\(what) is \($0)" } ?? nil
        }
        let window = timeline.windowSeconds
        guard window.isFinite, window >= 0.001, window <= Self.longestSeconds else {
            return "timeline.windowSeconds is \(window), not a window from 0.001 to \(Int(Self.longestSeconds)) s"
        }
        if let problem = time(durationSeconds, "durationSeconds") ?? time(wallSeconds, "wallSeconds") { return problem }
        let windows = timeline.services.first?.requests.count ?? timeline.clusters.first?.successes.count ?? timeline.replicas.first?.ready.count ?? 0
        guard Double(windows) * window <= Self.longestSeconds else { return "the timeline's \(windows) windows of \(window) s last past \(Int(Self.longestSeconds)) s" }
        for s in timeline.services where s.requests.count != windows || s.successes.count != windows || s.p99Milliseconds.count != windows {
            return "timeline.services \(s.service): its series have \(s.requests.count), \(s.successes.count) and \(s.p99Milliseconds.count) windows, not \(windows) each"
        }
        for s in timeline.services {
            for w in 0..<windows where s.requests[w] < 0 || s.successes[w] < 0 || s.successes[w] > s.requests[w] || s.requests[w] > Self.largestCount {
                return "timeline.services \(s.service): window \(w) has \(s.successes[w]) successes of \(s.requests[w]) requests"
            }
            if let bad = s.p99Milliseconds.first(where: { ($0.map { !$0.isFinite || $0 < 0 }) ?? false }) { return "timeline.services \(s.service): a p99 of \(bad ?? 0) ms" }
        }
        for c in timeline.clusters where c.successes.count != windows || c.successes.contains(where: { $0 < 0 || $0 > Self.largestCount }) {
            return "timeline.clusters \(c.service) at \(c.cluster): \(c.successes.count) windows (not \(windows)) or a negative count"
        }
        for r in timeline.replicas where r.ready.count != windows || r.ready.contains(where: { $0 < 0 || $0 > Self.largestCount }) {
            return "timeline.replicas \(r.service) in \(r.cluster): \(r.ready.count) windows (not \(windows)) or a negative count"
        }
        for p in timeline.probes where p.checks.count != p.passes.count || (windows > 0 && p.checks.count != windows) || zip(p.checks, p.passes).contains(where: { $1 < 0 || $1 > $0 || $0 > Self.largestCount }) {
            return "timeline.probes \(p.name): \(p.checks.count) windows of checks and \(p.passes.count) of passes (not \(windows) each), or more passes than checks"
        }
        for (i, e) in timeline.events.enumerated() {
            if let problem = time(e.at, "timeline.events[\(i)].at") { return problem }
        }
        for (i, f) in faults.enumerated() {
            if let problem = time(f.injectedAt, "faults[\(i)].injectedAt") ?? time(f.revertedAt, "faults[\(i)].revertedAt") { return problem }
        }
        if let abort, let problem = time(abort.at, "abort.at") { return problem }
        for (i, slo) in slos.enumerated() {
            if let problem = number(slo.value, "slos[\(i)].value") ?? number(slo.weight, "slos[\(i)].weight") { return problem }
        }
        if let problem = number(score, "score") ?? number(metrics.errorBudgetBurn, "metrics.errorBudgetBurn") { return problem }
        for (value, what) in [(metrics.timeToDetectSeconds, "metrics.timeToDetectSeconds"), (metrics.timeToRecoverSeconds, "metrics.timeToRecoverSeconds")] {
            if let value, let problem = time(value, what) { return problem }
        }
        let counts = [metrics.failedRequests, metrics.totalRequests] + attribution.flatMap { [$0.requests, $0.failures] + $0.causes.map(\.count) + $0.clusters.map(\.count) }
        if let bad = counts.first(where: { $0 < 0 || $0 > Self.largestCount }) { return "a request count of \(bad) is out of range" }
        return nil
    }
}
