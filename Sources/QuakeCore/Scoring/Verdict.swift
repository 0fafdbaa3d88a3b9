/// The outcome of one SLO, or of a whole run.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// The objective held.
    case pass
    /// The objective did not hold.
    case fail
    /// The objective could not be judged: data is missing, the baseline already breached, or a fault did not take effect.
    case inconclusive
    /// A stop condition ended the run (whole runs only).
    case aborted
    /// The target could not run the plan (whole runs only).
    case error
}

/// One SLO judged.
public struct SLOResult: Sendable, Equatable {
    /// The SLO as the plan states it.
    public var slo: SLOSpec
    /// The measured value in the SLI's unit (percent, seconds, count, requests per second): the worst
    /// evaluation window's, or the whole run's; nil when there was nothing to measure.
    public var value: Double?
    /// Pass, fail or inconclusive.
    public var verdict: Verdict
    /// Why, in a sentence a person reads in the report.
    public var reason: String
    /// This SLO's share of its error budget left, 0–1 (nil when inconclusive).
    public var budgetLeft: Double?
    /// When the SLO was first breached after the first fault, from the start (nil if never).
    public var firstBreach: TimeSpan?

    /// A result from its parts.
    public init(slo: SLOSpec, value: Double?, verdict: Verdict, reason: String, budgetLeft: Double?, firstBreach: TimeSpan? = nil) {
        self.slo = slo
        self.value = value
        self.verdict = verdict
        self.reason = reason
        self.budgetLeft = budgetLeft
        self.firstBreach = firstBreach
    }

    /// The value as text in the SLI's unit (`99.42%`, `212ms`, `6`).
    public var valueText: String {
        guard let value else { return "-" }
        return ValueFormat.text(value, unit: slo.sli.unit)
    }
}

/// How SLI values are written in reports.
public enum ValueFormat {
    /// `99.42%`, `212ms`, `1m30s`, `6`, `512/s`.
    public static func text(_ value: Double, unit: ObjectiveUnit) -> String {
        guard value.isFinite else { return value > 0 ? "∞" : "-∞" }
        switch unit {
        case .percentage:
            return Percentage((value * 100).rounded() / 100).description
        case .duration:
            if value < 1 { return TimeSpan(seconds: (value * 10_000).rounded() / 10_000).description }
            return TimeSpan(seconds: (value * 10).rounded() / 10).description
        case .rate:
            return Rate(perSecond: (value * 10).rounded() / 10).description
        case .number:
            return value == value.rounded() ? String(Int64(value)) : String((value * 100).rounded() / 100)
        }
    }
}
