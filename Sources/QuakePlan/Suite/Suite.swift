import QuakeCore

/// A suite: plans run one after another with per-plan overrides, read from a `kind: Suite` file
/// (docs/suites.md).
public struct Suite: Sendable, Equatable {
    /// One plan of the suite, with the suite's defaults already applied to its overrides.
    public struct Entry: Sendable, Equatable {
        /// The plan file as the suite wrote it (relative to the suite's folder).
        public var plan: String
        /// The plan file's path as this process opens it.
        public var path: String
        /// The target to run on, overriding the plan's; nil keeps the plan's.
        public var target: TargetKind?
        /// The seed, overriding the plan's; nil keeps the plan's.
        public var seed: UInt64?
        /// Runs with seeds seed, seed+1, … on the model; nil runs once.
        public var `repeat`: Int?
        /// The suite's tags of this plan (its own and the defaults'), for `--tags` and `--skip-tags`.
        public var tags: [String]

        /// An entry from its parts.
        public init(plan: String, path: String, target: TargetKind? = nil, seed: UInt64? = nil, repeat: Int? = nil, tags: [String] = []) {
            self.plan = plan
            self.path = path
            self.target = target
            self.seed = seed
            self.repeat = `repeat`
            self.tags = tags
        }
    }

    /// The suite's name; its reports are named after it.
    public var name: String
    /// What the suite is for.
    public var description: String
    /// When the suite is meant to run, as a five-field cron expression (a hint shown in the
    /// outputs and used by the deploy files; Quake does not schedule itself).
    public var schedule: String?
    /// The plans, in the order they run.
    public var entries: [Entry]

    /// A suite from its parts.
    public init(name: String, description: String = "", schedule: String? = nil, entries: [Entry]) {
        self.name = name
        self.description = description
        self.schedule = schedule
        self.entries = entries
    }
}
