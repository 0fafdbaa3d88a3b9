/// A plan's recent runs, oldest first, for the trend charts of `report.html` and a suite's index:
/// filled by the caller from the run history (QuakeReport reads no history itself).
public struct RunTrend: Sendable, Equatable {
    /// One earlier (or the current) run.
    public struct Point: Sendable, Equatable {
        /// The run's id, shown on hover.
        public var id: String
        /// When it started, as run.json writes it (`2026-12-07T02:00:00Z`).
        public var startedAt: String
        public var verdict: String
        public var score: Double?
        public var timeToRecoverSeconds: Double?
        public var errorBudgetBurn: Double?
        /// Its report, relative to the page or absolute; failed runs are linked to it.
        public var link: String?

        /// A point from its parts.
        public init(id: String, startedAt: String, verdict: String, score: Double?, timeToRecoverSeconds: Double?, errorBudgetBurn: Double?, link: String?) {
            self.id = id
            self.startedAt = startedAt
            self.verdict = verdict
            self.score = score
            self.timeToRecoverSeconds = timeToRecoverSeconds
            self.errorBudgetBurn = errorBudgetBurn
            self.link = link
        }

        /// Whether the run failed (fail, aborted or error): marked and linked on the charts.
        public var failed: Bool { ["fail", "aborted", "error"].contains(verdict) }
    }

    /// At most this many runs are drawn (the latest).
    public static let limit = 30

    public var points: [Point]

    /// A trend of `points`, oldest first; only the latest ``limit`` are kept.
    public init(points: [Point]) {
        self.points = Array(points.suffix(Self.limit))
    }
}
