/// What a suite run produced: one entry per selected plan, in the order they ran, each with its
/// run record or the reason it has none. The suite's reports are rendered from it.
public struct SuiteRecord: Sendable, Equatable {
    /// One plan of the suite as it ran.
    public struct Entry: Sendable, Equatable {
        /// The plan file as the suite names it.
        public var file: String
        /// The plan's report folder, relative to the suite's folder (links point into it).
        public var folder: String
        /// The target it ran on, or was to run on.
        public var target: String
        /// The run's record; nil when the plan did not run to a verdict.
        public var record: RunRecord?
        /// Why there is no record (the plan did not load, the target failed, the suite stopped).
        public var reason: String?
        /// `aborted` for a plan the suite never reached or that was stopped, else `error`, for an
        /// entry without a record.
        private var outcome: String

        /// A plan that ran to a verdict.
        public init(file: String, folder: String, record: RunRecord) {
            self.file = file
            self.folder = folder
            target = record.target
            self.record = record
            outcome = record.verdict
        }

        /// A plan with no verdict: `error` (it could not load or its target failed) or `aborted`
        /// (it was stopped, or the suite stopped before it).
        public init(file: String, folder: String, target: String, verdict: String, reason: String) {
            precondition(verdict == "error" || verdict == "aborted", "an entry without a record is an error or aborted")
            self.file = file
            self.folder = folder
            self.target = target
            self.reason = reason
            outcome = verdict
        }

        /// The plan's name, or its file's when it has no record.
        public var name: String { record?.plan ?? file }
        /// `pass`, `fail`, `inconclusive`, `aborted` or `error`.
        public var verdict: String { outcome }
    }

    /// The suite's name.
    public var name: String
    /// What the suite is for.
    public var description: String
    /// The cron schedule the suite is meant to run on, as its file gives it.
    public var schedule: String?
    /// When the suite started (UTC, ISO 8601).
    public var startedAt: String
    /// The plans that were selected, in order.
    public var entries: [Entry]

    /// A suite record from its parts.
    public init(name: String, description: String = "", schedule: String? = nil, startedAt: String, entries: [Entry]) {
        self.name = name
        self.description = description
        self.schedule = schedule
        self.startedAt = startedAt
        self.entries = entries
    }

    /// The worst of the entries' verdicts (`pass` when there is none).
    public var verdict: String { Self.worst(entries.map(\.verdict)) }

    /// Each plan whose comparison with its recent runs found something, with the findings.
    public var regressions: [(plan: String, findings: [RunRecord.Regression])] {
        entries.compactMap { e in e.record?.regressions.flatMap { $0.isEmpty ? nil : (e.name, $0) } }
    }

    /// The worst verdict: `error` and `aborted` outrank `fail`, which outranks `inconclusive`,
    /// which outranks `pass`. Text that is no verdict counts as `error`.
    public static func worst(_ verdicts: [String]) -> String {
        verdicts.max { rank($0) < rank($1) }.map { rank($0) == rank("error") ? "error" : $0 } ?? "pass"
    }

    /// The verdicts from best to worst.
    public static let order = ["pass", "inconclusive", "fail", "aborted", "error"]

    private static func rank(_ verdict: String) -> Int { order.firstIndex(of: verdict) ?? order.count - 1 }

    /// How many entries have each verdict, worst first, leaving out those with none.
    public var counts: [(verdict: String, count: Int)] {
        Self.order.reversed().compactMap { v in
            let n = entries.filter { $0.verdict == v }.count
            return n == 0 ? nil : (v, n)
        }
    }
}
