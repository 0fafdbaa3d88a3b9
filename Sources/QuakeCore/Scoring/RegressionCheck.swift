/// Whether a run is worse than the plan's recent history, or the plan is flaky (docs/history.md).
///
/// The run is judged against the last ``window`` earlier runs of the same plan on the same
/// target:
/// - **verdict**: it failed (fail, aborted or error) where the run before it passed;
/// - **score**: it is lower than the earlier scores' mean by more than the run-to-run spread,
///   three standard deviations of those scores (and at least one point), with three earlier
///   scores at least;
/// - **time to recover**: it recovered later than the earlier runs' mean by more than three
///   standard deviations (and at least one second), or did not recover where every earlier run
///   did, with three earlier runs at least.
///
/// A plan whose verdict went back and forth (two flips or more between pass and a failure over
/// the window and this run) is **flaky**: a verdict flip is then reported as flakiness, not as a
/// regression. A change that stays (pass, pass, fail, fail) is one flip, a regression the first
/// time; the runs after it are judged against a history that already failed.
public enum RegressionCheck {
    /// What is judged of one run.
    public struct Run: Sendable, Equatable {
        public var id: String
        public var verdict: Verdict
        public var score: Double?
        /// Nil when the run never recovered, or was never hurt (``hurt`` tells which).
        public var timeToRecover: TimeSpan?
        /// Whether the entry service was hurt at all (a time to detect exists).
        public var hurt: Bool

        /// A run from its parts.
        public init(id: String, verdict: Verdict, score: Double?, timeToRecover: TimeSpan?, hurt: Bool) {
            self.id = id
            self.verdict = verdict
            self.score = score
            self.timeToRecover = timeToRecover
            self.hurt = hurt
        }

        var failed: Bool { verdict == .fail || verdict == .aborted || verdict == .error }
    }

    /// One judgement, with the runs it was made against.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case verdict, score, timeToRecover = "time to recover", flaky
        }
        public var kind: Kind
        /// What changed, for people.
        public var detail: String
        /// The earlier runs it was judged against, newest first.
        public var against: [String]

        /// Whether it is a regression (anything but flakiness).
        public var isRegression: Bool { kind != .flaky }

        public var description: String {
            "\(isRegression ? "regression" : "flaky") (\(kind.rawValue)): \(detail) — judged against \(against.joined(separator: ", "))"
        }
    }

    /// How many earlier runs a run is judged against.
    public static let window = 7

    /// The findings on `run` given the plan's `earlier` runs, newest first (only the first
    /// ``window`` are read); none without earlier runs.
    public static func judge(_ run: Run, earlier: [Run]) -> [Finding] {
        let history = Array(earlier.prefix(window))
        guard let previous = history.first else { return [] }
        let ids = history.map(\.id)
        var findings: [Finding] = []
        let sequence = [run] + history
        let flips = zip(sequence, sequence.dropFirst()).filter { $0.failed != $1.failed }.count
        if flips >= 2 {
            let failures = sequence.filter(\.failed).count
            findings.append(Finding(kind: .flaky, detail: "the verdict changed \(flips) times over the last \(sequence.count) runs (\(failures) failed) without staying changed", against: ids))
        } else if run.failed && !previous.failed {
            findings.append(Finding(kind: .verdict, detail: "\(run.verdict.rawValue) where the run before (\(previous.id)) passed", against: ids))
        }
        let scores = history.compactMap(\.score)
        if let score = run.score, scores.count >= 3 {
            let (mean, spread) = meanAndSpread(scores)
            let allowed = max(3 * spread, 1)
            if mean - score > allowed {
                findings.append(Finding(kind: .score, detail: "score \(format(score)) against \(format(mean)) (mean of \(scores.count) runs, spread ±\(format(spread)))", against: ids))
            }
        }
        let recoveries = history.filter(\.hurt)
        if run.hurt, recoveries.count >= 3 {
            let times = recoveries.compactMap(\.timeToRecover).map(\.seconds)
            if times.count == recoveries.count {
                let (mean, spread) = meanAndSpread(times)
                if let ttr = run.timeToRecover?.seconds {
                    if ttr - mean > max(3 * spread, 1) {
                        findings.append(Finding(kind: .timeToRecover, detail: "recovered in \(format(ttr)) s against \(format(mean)) s (mean of \(times.count) runs, spread ±\(format(spread)) s)", against: ids))
                    }
                } else {
                    findings.append(Finding(kind: .timeToRecover, detail: "did not recover, where each of the last \(times.count) runs recovered (in \(format(mean)) s on average)", against: ids))
                }
            }
        }
        return findings
    }

    /// The mean and sample standard deviation of `values` (0 for one value).
    static func meanAndSpread(_ values: [Double]) -> (mean: Double, spread: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }

    private static func format(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
