import Foundation

/// What the history keeps of one run: the headline figures every listing, comparison and trend
/// needs as columns, and the whole `run.json` text for everything else (docs/history.md).
///
/// A run repeated with `--repeat N` is one entry: its figures are the repeats' (the record's).
public struct HistoryEntry: Sendable, Equatable, Codable {
    /// The run's id, unique in the history: see ``HistoryEntry/runID(plan:startedAt:record:)``.
    public var id: String
    /// The plan's name (`metadata.name`).
    public var plan: String
    /// The plan file the run read (the CLI stores it absolute); nil when not known.
    public var planFile: String?
    /// `model`, `lab` or `kubernetes`.
    public var target: String
    /// When the run started.
    public var startedAt: Date
    /// How long the run took on the wall clock, in seconds.
    public var wallSeconds: Double
    /// `pass`, `fail`, `inconclusive`, `aborted` or `error`.
    public var verdict: String
    /// The resilience score 0–100; nil when no SLO could be judged.
    public var score: Double?
    /// The 95 % interval of the score over the seeds of a repeated run; nil for a single run.
    public var scoreInterval: ScoreInterval?
    /// Seconds from the first fault until the entry service was hurt; nil when it never was.
    public var timeToDetectSeconds: Double?
    /// Seconds until the entry service recovered; nil when it was never hurt or never recovered.
    public var timeToRecoverSeconds: Double?
    /// Failed requests of the services clients call.
    public var failedRequests: Int
    /// All requests of the services clients call.
    public var totalRequests: Int
    /// Error budget burned against the first availability SLO; nil without one.
    public var errorBudgetBurn: Double?
    /// The plan's tags.
    public var tags: [String]
    /// Every SLO of the plan as judged, in the plan's order.
    public var slos: [SLOResult]
    /// The folder the run's reports were written to; nil when not known.
    public var reportFolder: String?
    /// The run's whole `run.json` text (docs/run-record.md). Queries leave it out (nil) unless
    /// asked for, since it holds the run's timeline and can be large.
    public var record: String?

    /// The 95 % interval of a figure over repeated runs.
    public struct ScoreInterval: Sendable, Equatable, Codable {
        /// The interval's lower end.
        public var low: Double
        /// The interval's upper end.
        public var high: Double

        /// An interval from its ends.
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// One SLO's measured value and verdict.
    public struct SLOResult: Sendable, Equatable, Codable {
        /// The SLO's name in the plan.
        public var name: String
        /// The measured value in the SLI's unit; nil when nothing was measured.
        public var value: Double?
        /// `pass`, `fail` or `inconclusive`.
        public var verdict: String

        /// An SLO result from its parts.
        public init(name: String, value: Double?, verdict: String) {
            self.name = name
            self.value = value
            self.verdict = verdict
        }
    }

    /// An entry from its parts; `id` defaults to the one derived from plan, start and record.
    public init(
        id: String? = nil, plan: String, planFile: String? = nil, target: String, startedAt: Date, wallSeconds: Double,
        verdict: String, score: Double? = nil, scoreInterval: ScoreInterval? = nil,
        timeToDetectSeconds: Double? = nil, timeToRecoverSeconds: Double? = nil,
        failedRequests: Int, totalRequests: Int, errorBudgetBurn: Double? = nil,
        tags: [String] = [], slos: [SLOResult] = [], reportFolder: String? = nil, record: String? = nil
    ) {
        self.id = id ?? Self.runID(plan: plan, startedAt: startedAt, record: record ?? "")
        self.plan = plan
        self.planFile = planFile
        self.target = target
        self.startedAt = startedAt
        self.wallSeconds = wallSeconds
        self.verdict = verdict
        self.score = score
        self.scoreInterval = scoreInterval
        self.timeToDetectSeconds = timeToDetectSeconds
        self.timeToRecoverSeconds = timeToRecoverSeconds
        self.failedRequests = failedRequests
        self.totalRequests = totalRequests
        self.errorBudgetBurn = errorBudgetBurn
        self.tags = tags
        self.slos = slos
        self.reportFolder = reportFolder
        self.record = record
    }
}
