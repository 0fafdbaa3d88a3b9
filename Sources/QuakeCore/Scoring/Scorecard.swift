/// Everything the scorer concluded about one run: what reports and the run record show.
public struct Scorecard: Sendable {
    /// Each SLO of the plan, judged.
    public var slos: [SLOResult]
    /// The resilience score, 0–100 (docs/scoring.md); nil when no SLO could be judged.
    public var score: Double?
    /// The run's verdict: aborted, else fail if an SLO failed, else inconclusive if one was, else pass.
    public var verdict: Verdict
    /// Each scheduled fault, with whether it took effect.
    public var faults: [FaultOutcome]
    /// What ended the run early (a stop condition or the kill switch), and when.
    public var abort: RunAbort?
    /// Headline figures.
    public var metrics: RunMetrics
    /// Failed requests by cause, per service.
    public var attribution: [ServiceAttribution]
    /// Contributing factors and blast-radius findings, for people.
    public var findings: [String]
    /// What to do about the findings.
    public var followUps: [String]
}

/// The headline figures of a run.
public struct RunMetrics: Sendable, Equatable {
    /// From the first fault to the first window where the entry service was unhealthy; nil if it never was.
    public var timeToDetect: TimeSpan?
    /// From the first fault to the first of five healthy windows after the impact; nil if it never recovered or never was hurt.
    public var timeToRecover: TimeSpan?
    /// Failed requests of the services clients call.
    public var failedRequests: Int
    /// Requests of the services clients call.
    public var totalRequests: Int
    /// Error-budget burn over the run against the first availability SLO: (1 − success) / (1 − objective).
    public var errorBudgetBurn: Double?
}

/// One scheduled fault and what it did.
public struct FaultOutcome: Sendable, Equatable {
    /// The fault as planned.
    public var spec: FaultSpec
    /// When it was reverted (the end of the run if it lasted that long).
    public var revertedAt: TimeSpan
    /// Whether the target shows the fault took effect.
    public var verified: Bool
    /// What shows it (or that nothing does).
    public var evidence: String
}

/// Failed requests of one service by cause (a request with two flags counts under both).
public struct ServiceAttribution: Sendable, Equatable {
    /// The service.
    public var service: String
    /// Requests and failures.
    public var requests: Int
    public var failures: Int
    /// Counts by cause: `injected (FI/DI)`, `no healthy upstream (UH)` … `application 5xx`.
    public var causes: [(cause: String, count: Int)]
    /// Destination clusters of the failed requests, with counts (`-` when no host answered).
    public var clusters: [(cluster: String, count: Int)]

    public static func == (a: ServiceAttribution, b: ServiceAttribution) -> Bool {
        a.service == b.service && a.requests == b.requests && a.failures == b.failures
            && a.causes.map(\.cause) == b.causes.map(\.cause) && a.causes.map(\.count) == b.causes.map(\.count)
            && a.clusters.map(\.cluster) == b.clusters.map(\.cluster) && a.clusters.map(\.count) == b.clusters.map(\.count)
    }
}
