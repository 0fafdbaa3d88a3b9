import QuakeCore

/// The machine record of one run, `run.json` (docs/run-record.md): versioned, and enough to render
/// every report again (`quake report RUN.json`).
public struct RunRecord: Codable, Sendable, Equatable {
    /// The version of this layout; readers refuse versions they do not know.
    public var schemaVersion = 1
    /// The plan's name.
    public var plan: String
    /// The plan's description.
    public var description: String
    /// The plan's owner.
    public var owner: String?
    /// The plan's tags.
    public var tags: [String]
    /// `model`, `lab` or `kubernetes`.
    public var target: String
    /// The seed of every random choice.
    public var seed: UInt64
    /// When the run started (UTC, ISO 8601).
    public var startedAt: String
    /// The experiment's length in its own time.
    public var durationSeconds: Double
    /// How long the run took on the wall clock.
    public var wallSeconds: Double
    /// `pass`, `fail`, `inconclusive`, `aborted` or `error`.
    public var verdict: String
    /// The resilience score 0–100; nil when no SLO could be judged.
    public var score: Double?
    /// SLOs left out of the score because they were inconclusive.
    public var excludedFromScore: [String]
    public var slos: [SLO]
    public var faults: [Fault]
    /// The stop condition that ended the run.
    public var abort: Abort?
    public var metrics: Metrics
    public var timeline: TimelineRecord
    public var attribution: [ServiceFailures]
    /// Contributing factors and blast-radius findings.
    public var findings: [String]
    public var followUps: [String]
    /// Warnings the plan loaded with, then the run's (a source that stopped answering for a while).
    public var warnings: [String]
    /// Figures over repeated runs (`--repeat N`); nil for a single run.
    public var repeats: Repeats?
    /// What the run's comparison with its plan's recent history found (regressions, flakiness);
    /// empty when nothing, nil when the run was not compared (no history kept, or none yet).
    public var regressions: [Regression]?

    /// One SLO judged.
    public struct SLO: Codable, Sendable, Equatable {
        public var name: String
        public var sli: String
        public var objective: String
        /// The measured value in the SLI's unit: percent, seconds, a count or requests per second.
        public var value: Double?
        /// The value as written in reports.
        public var valueText: String
        public var verdict: String
        public var reason: String
        public var weight: Double
        public var window: String?
        /// Share of the error budget left, 0–1.
        public var budgetLeft: Double?
    }

    /// One scheduled fault.
    public struct Fault: Codable, Sendable, Equatable {
        public var kind: String
        public var target: String
        public var description: String
        public var injectedAt: Double
        public var revertedAt: Double
        public var verified: Bool
        public var evidence: String
    }

    /// What ended the run early: a stop condition that fired, or the kill switch.
    public struct Abort: Codable, Sendable, Equatable, CustomStringConvertible {
        /// `stop-condition` or `kill-switch`.
        public var cause: String
        /// The stop condition as the plan wrote it, or the reason the kill switch was given.
        public var condition: String
        /// When, in seconds from the start of the schedule.
        public var at: Double

        public static let stopCondition = "stop-condition", killSwitch = "kill-switch"

        /// An abort from its parts.
        public init(cause: String = Abort.stopCondition, condition: String, at: Double) {
            self.cause = cause
            self.condition = condition
            self.at = at
        }

        private enum CodingKeys: String, CodingKey { case cause, condition, at }

        /// Reads an abort; records written before the kill switch existed have no `cause`, and
        /// were all stopped by a stop condition.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cause = try c.decodeIfPresent(String.self, forKey: .cause) ?? Self.stopCondition
            condition = try c.decode(String.self, forKey: .condition)
            at = try c.decode(Double.self, forKey: .at)
        }

        /// "the stop condition `…`" or "the kill switch (…)".
        public var description: String {
            cause == Self.killSwitch ? "the kill switch (\(condition))" : "the stop condition `\(condition)`"
        }
    }

    /// Headline figures.
    public struct Metrics: Codable, Sendable, Equatable {
        public var timeToDetectSeconds: Double?
        public var timeToRecoverSeconds: Double?
        public var failedRequests: Int
        public var totalRequests: Int
        public var errorBudgetBurn: Double?
    }

    /// What the charts and the timeline table need.
    public struct TimelineRecord: Codable, Sendable, Equatable {
        public var windowSeconds: Double
        public var events: [Event]
        /// Traffic of the services clients call, per window.
        public var services: [ServiceSeries]
        /// Answered requests of those services per destination cluster, per window.
        public var clusters: [ClusterSeries]
        /// Ready replicas per service and cluster, per window.
        public var replicas: [ReplicaSeriesRecord]
        /// Checks and passes of each probe that ran, per window.
        public var probes: [ProbeSeriesRecord]

        private enum CodingKeys: String, CodingKey { case windowSeconds, events, services, clusters, replicas, probes }

        public init(windowSeconds: Double, events: [Event], services: [ServiceSeries], clusters: [ClusterSeries], replicas: [ReplicaSeriesRecord], probes: [ProbeSeriesRecord]) {
            self.windowSeconds = windowSeconds
            self.events = events
            self.services = services
            self.clusters = clusters
            self.replicas = replicas
            self.probes = probes
        }

        /// Reads a timeline; records written before probes were kept have none.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            windowSeconds = try c.decode(Double.self, forKey: .windowSeconds)
            events = try c.decode([Event].self, forKey: .events)
            services = try c.decode([ServiceSeries].self, forKey: .services)
            clusters = try c.decode([ClusterSeries].self, forKey: .clusters)
            replicas = try c.decode([ReplicaSeriesRecord].self, forKey: .replicas)
            probes = try c.decodeIfPresent([ProbeSeriesRecord].self, forKey: .probes) ?? []
        }
    }

    /// Per-window checks of one probe, and how many of them passed.
    public struct ProbeSeriesRecord: Codable, Sendable, Equatable {
        public var name: String
        public var checks: [Int]
        public var passes: [Int]
    }

    /// A timeline event.
    public struct Event: Codable, Sendable, Equatable {
        public var at: Double
        public var kind: String
        public var subject: String
        public var detail: String

        public init(at: Double, kind: String, subject: String, detail: String) {
            self.at = at
            self.kind = kind
            self.subject = subject
            self.detail = detail
        }
    }

    /// Per-window traffic of one service.
    public struct ServiceSeries: Codable, Sendable, Equatable {
        public var service: String
        public var requests: [Int]
        public var successes: [Int]
        /// p99 latency in milliseconds (nil for a window without requests).
        public var p99Milliseconds: [Double?]
    }

    /// Per-window answered requests of one service at one cluster.
    public struct ClusterSeries: Codable, Sendable, Equatable {
        public var service: String
        public var cluster: String
        public var region: String
        public var successes: [Int]
    }

    /// Per-window ready replicas of one service in one cluster.
    public struct ReplicaSeriesRecord: Codable, Sendable, Equatable {
        public var service: String
        public var cluster: String
        public var ready: [Int]
    }

    /// Failed requests of one service by cause.
    public struct ServiceFailures: Codable, Sendable, Equatable {
        public var service: String
        public var requests: Int
        public var failures: Int
        public var causes: [Count]
        public var clusters: [Count]
    }

    /// A named count.
    public struct Count: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    /// One finding of the comparison with the plan's recent runs (``RegressionCheck``).
    public struct Regression: Codable, Sendable, Equatable {
        /// `verdict`, `score`, `time to recover` or `flaky`.
        public var kind: String
        /// What changed, for people.
        public var detail: String
        /// The earlier runs it was judged against, newest first.
        public var against: [String]
        /// Whether it is a regression (false for flakiness).
        public var regression: Bool

        /// The record of `finding`.
        public init(_ finding: RegressionCheck.Finding) {
            kind = finding.kind.rawValue
            detail = finding.detail
            against = finding.against
            regression = finding.isRegression
        }
    }

    /// Figures over repeated runs with different seeds.
    public struct Repeats: Codable, Sendable, Equatable {
        public var seeds: [UInt64]
        public var slos: [RepeatedFigure]
        public var metrics: [RepeatedFigure]
    }

    /// A figure's mean and 95 % interval over repeats, and whether its verdict flipped.
    public struct RepeatedFigure: Codable, Sendable, Equatable {
        public var name: String
        public var mean: Double?
        public var low: Double?
        public var high: Double?
        public var verdicts: [String]
        public var flaky: Bool
    }
}

// run.json writes every field, absent values as `null`, so readers see the full layout
// (docs/run-record.md); decoding is synthesized. (In this file: the synthesized CodingKeys are private.)

extension RunRecord {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(plan, forKey: .plan)
        try c.encode(description, forKey: .description)
        try c.encode(owner, forKey: .owner)
        try c.encode(tags, forKey: .tags)
        try c.encode(target, forKey: .target)
        try c.encode(seed, forKey: .seed)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(score, forKey: .score)
        try c.encode(excludedFromScore, forKey: .excludedFromScore)
        try c.encode(slos, forKey: .slos)
        try c.encode(faults, forKey: .faults)
        try c.encode(abort, forKey: .abort)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(attribution, forKey: .attribution)
        try c.encode(findings, forKey: .findings)
        try c.encode(followUps, forKey: .followUps)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(repeats, forKey: .repeats)
        try c.encode(regressions, forKey: .regressions)
    }
}

extension RunRecord.SLO {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(sli, forKey: .sli)
        try c.encode(objective, forKey: .objective)
        try c.encode(value, forKey: .value)
        try c.encode(valueText, forKey: .valueText)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(reason, forKey: .reason)
        try c.encode(weight, forKey: .weight)
        try c.encode(window, forKey: .window)
        try c.encode(budgetLeft, forKey: .budgetLeft)
    }
}

extension RunRecord.Metrics {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeToDetectSeconds, forKey: .timeToDetectSeconds)
        try c.encode(timeToRecoverSeconds, forKey: .timeToRecoverSeconds)
        try c.encode(failedRequests, forKey: .failedRequests)
        try c.encode(totalRequests, forKey: .totalRequests)
        try c.encode(errorBudgetBurn, forKey: .errorBudgetBurn)
    }
}

extension RunRecord.RepeatedFigure {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(mean, forKey: .mean)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
        try c.encode(verdicts, forKey: .verdicts)
        try c.encode(flaky, forKey: .flaky)
    }
}
