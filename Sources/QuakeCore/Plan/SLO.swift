/// A service-level objective: an SLI, a comparison and an evaluation window.
public struct SLOSpec: Sendable, Equatable {
    /// The name reports and JUnit test cases use.
    public var name: String
    /// What is measured.
    public var sli: SLI
    /// What the measurement must satisfy.
    public var objective: Objective
    /// The evaluation window (rolling); nil evaluates over the whole experiment.
    public var window: TimeSpan?
    /// The SLO's weight in the resilience score.
    public var weight: Double

    /// An SLO from its parts.
    public init(name: String, sli: SLI, objective: Objective, window: TimeSpan? = nil, weight: Double = 1) {
        self.name = name
        self.sli = sli
        self.objective = objective
        self.window = window
        self.weight = weight
    }
}

/// A service-level indicator, as written `successRatio(frontend)` in plans.
public enum SLI: Sendable, Equatable, CustomStringConvertible {
    /// The fraction of requests answered without a 5xx or a local failure.
    case successRatio(service: String, from: Locality?)
    /// A latency percentile (99 for p99).
    case latency(service: String, percentile: Double)
    /// Error-budget burn rate against an availability target: (1 − success) / (1 − target).
    case errorBudgetBurn(service: String, target: Percentage)
    /// Time from the first fault until the service is healthy again.
    case timeToRecover(service: String)
    /// The share of the service's traffic that a cluster or region serves.
    case trafficShare(service: String, locality: String)
    /// Ready replicas of the service across clusters.
    case replicasReady(service: String)
    /// The fraction of passing checks of a probe.
    case probeSuccess(probe: String)
    /// Requests per second served.
    case throughput(service: String)
    /// The number of 5xx answers.
    case errorCount(service: String)
    /// A PromQL query against the target's Prometheus, read in the objective's unit (a ratio as
    /// a fraction for a percentage, seconds for a duration). Only targets with a Prometheus measure it.
    case promQL(query: String, unit: ObjectiveUnit)

    /// The service the SLI is about (nil for a probe).
    public var service: String? {
        switch self {
        case let .successRatio(s, _), let .latency(s, _), let .errorBudgetBurn(s, _), let .timeToRecover(s),
             let .trafficShare(s, _), let .replicasReady(s), let .throughput(s), let .errorCount(s):
            return s
        case .probeSuccess, .promQL: return nil
        }
    }

    /// What unit the SLI's value has.
    public var unit: ObjectiveUnit {
        switch self {
        case .successRatio, .trafficShare, .probeSuccess: return .percentage
        case .latency, .timeToRecover: return .duration
        case .errorBudgetBurn, .replicasReady, .errorCount: return .number
        case .throughput: return .rate
        case let .promQL(_, unit): return unit
        }
    }

    public var description: String {
        switch self {
        case let .successRatio(s, from): return "successRatio(\(s)\(from.map { ", from=\($0)" } ?? ""))"
        case let .latency(s, p): return "latency(\(s), p\(p == p.rounded() ? String(Int(p)) : String(p)))"
        case let .errorBudgetBurn(s, t): return "errorBudgetBurn(\(s), \(t))"
        case let .timeToRecover(s): return "timeToRecover(\(s))"
        case let .trafficShare(s, l): return "trafficShare(\(s), \(l))"
        case let .replicasReady(s): return "replicasReady(\(s))"
        case let .probeSuccess(p): return "probeSuccess(\(p))"
        case let .throughput(s): return "throughput(\(s))"
        case let .errorCount(s): return "errorCount(\(s))"
        case let .promQL(query, _): return "promql(\"\(query)\")"
        }
    }
}

/// The unit an SLI's value is in.
public enum ObjectiveUnit: String, Sendable {
    case percentage, duration, number, rate
}

/// A comparison an SLI must satisfy: `>= 99.5%`, `<= 250ms`, `>= 6 within 8m`.
public struct Objective: Sendable, Equatable, CustomStringConvertible {
    /// How the value is compared.
    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">=", atMost = "<=", above = ">", below = "<"
    }
    /// The comparison.
    public var comparison: Comparison
    /// The threshold in the SLI's unit: percent, seconds, a count or requests per second.
    public var threshold: Double
    /// The unit the threshold was written in.
    public var unit: ObjectiveUnit
    /// For `replicasReady`: the value must be reached within this time after the last fault starts.
    public var within: TimeSpan?

    /// An objective from its parts.
    public init(comparison: Comparison, threshold: Double, unit: ObjectiveUnit, within: TimeSpan? = nil) {
        self.comparison = comparison
        self.threshold = threshold
        self.unit = unit
        self.within = within
    }

    /// Whether `value` (in the SLI's unit) meets the objective.
    public func isMet(by value: Double) -> Bool {
        switch comparison {
        case .atLeast: return value >= threshold
        case .atMost: return value <= threshold
        case .above: return value > threshold
        case .below: return value < threshold
        }
    }

    public var description: String {
        let value: String
        switch unit {
        case .percentage: value = Percentage(threshold).description
        case .duration: value = TimeSpan(seconds: threshold).description
        case .rate: value = Rate(perSecond: threshold).description
        case .number: value = threshold == threshold.rounded() ? String(Int64(threshold)) : String(threshold)
        }
        return "\(comparison.rawValue) \(value)" + (within.map { " within \($0)" } ?? "")
    }
}

/// An abort guard: when `condition` holds for `duration`, the run is stopped and every fault reverted.
public struct StopCondition: Sendable, Equatable, CustomStringConvertible {
    /// What is measured, each observation window.
    public var sli: SLI
    /// The comparison that, when true, trips the guard.
    public var condition: Objective
    /// How long the condition must hold; zero trips at once.
    public var duration: TimeSpan

    /// A stop condition from its parts.
    public init(sli: SLI, condition: Objective, duration: TimeSpan = .zero) {
        self.sli = sli
        self.condition = condition
        self.duration = duration
    }

    public var description: String { "\(sli) \(condition)" + (duration > .zero ? " for \(duration)" : "") }
}
