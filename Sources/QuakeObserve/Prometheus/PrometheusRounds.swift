import Foundation
import QuakeCore

/// The part of reading a live target's Prometheus once per observation window that every target
/// shares: the plan's PromQL SLIs and stop conditions, valued at each window's end, which windows
/// are settled, and what a Prometheus that stops answering means for the run. Pure: the queries
/// are made by ``fetch(through:client:)``, which changes nothing, and a round is ended by
/// ``endRound(at:window:failure:final:)``, so that an actor is never suspended in a mutation.
///
/// Each round asks for the windows that are not settled yet, so a late scrape or a round
/// Prometheus missed is read by the next one. A window is settled once its end is ``settling``
/// behind a round that answered, or by the last round. A round stops at its first failed query.
/// A Prometheus that stops answering does not stop the run: the report gets a warning naming the
/// query and the error, unless the plan has a PromQL stop condition, which cannot be checked
/// blind: after ``blindWindows`` failed rounds in a row the round says so, for the target to throw.
public struct PrometheusRounds: Sendable {
    /// The plan query that failed in a round, and why.
    public typealias Failure = (query: String, error: String)
    /// A plan query's `query_range` answer, with the first window it covers.
    public typealias Answer = (query: String, first: Int, result: PrometheusQueryResult)

    /// A failure that lasts.
    private struct Outage: Sendable {
        var query: String
        var error: String
        var since: TimeSpan
        var rounds: Int
    }

    /// How long after a window's end its values are asked again (two 1 s scrapes).
    public static let settling: TimeInterval = 2
    /// Failed rounds in a row after which a PromQL stop condition counts as blind.
    public static let blindWindows = 3

    /// The start of window 0.
    public let origin: Date
    /// The Timeline window, also the step of every range query.
    public let window: TimeSpan
    /// How many windows the run covers.
    public let windowCount: Int
    /// The plan's PromQL queries, each once, SLIs' first.
    public let queries: [String]
    /// The plan's PromQL stop conditions.
    public let guards: [StopCondition]
    /// How warnings name the server (`the lab Prometheus`).
    public let source: String
    /// What a Prometheus silent at the end of the run leaves missing, for the warning.
    public let missing: String
    /// What went wrong and did not stop the run, for the report.
    public private(set) var warnings: [String] = []
    /// The first window whose values may still change; every window before it is settled.
    public private(set) var settled = 0
    private var values: [String: [Double?]] = [:]
    private var outage: Outage?
    private var warnedQueries: Set<String> = []

    /// The rounds of a run of `plan` whose window 0 starts at `origin`, of `windowCount` windows;
    /// warnings name the server as `source` and say that `missing` is missing after a silent end.
    public init(plan: Plan, origin: Date, windowCount: Int, source: String, missing: String) {
        precondition(plan.target.window.microseconds > 0 && windowCount > 0, "a run needs a positive window and at least one window")
        self.origin = origin
        window = plan.target.window
        self.windowCount = windowCount
        self.source = source
        self.missing = missing
        var queries: [String] = []
        for sli in plan.slos.map(\.sli) + plan.stopConditions.map(\.sli) {
            if case let .promQL(query, _) = sli, !queries.contains(query) { queries.append(query) }
        }
        self.queries = queries
        guards = plan.stopConditions.filter { if case .promQL = $0.sli { return true }; return false }
        for query in queries { values[query] = [Double?](repeating: nil, count: windowCount) }
    }

    /// Asks `client` for the unsettled windows up to `window` of every plan query (`query_range`,
    /// one step a window); stops at the first query that fails.
    public func fetch(through window: Int, client: PrometheusAPIClient) async -> (answers: [Answer], failure: Failure?) {
        let first = settled
        guard first <= window else { return ([], nil) }
        var answers: [Answer] = []
        for query in queries {
            do {
                let result = try await client.queryRange(query, start: end(of: first), end: end(of: window), step: .microseconds(self.window.microseconds))
                answers.append((query, first, result))
            } catch {
                return (answers, (query, Self.describe(error)))
            }
        }
        return (answers, nil)
    }

    /// Puts each answer's points on the windows they end; an answer of several series is left out
    /// with a warning (an SLI reads one number per window).
    public mutating func read(_ answers: [Answer]) {
        for answer in answers { read(answer.query, answer.result) }
    }

    /// Ends the round evaluated at `time` about windows up to `window`, whose first failed query
    /// (of any kind) was `failure`. `final` marks the last round: every window is settled and a
    /// failure is left as a warning. Returns why the run cannot go on when a PromQL stop condition
    /// has run blind for ``blindWindows`` rounds; nil otherwise.
    public mutating func endRound(at time: Date, window: Int, failure: Failure?, final: Bool) -> String? {
        let at = TimeSpan(microseconds: Int64((time.timeIntervalSince(origin) * 1_000_000).rounded()))
        guard let failure else {
            settled = final ? windowCount : max(settled, min(window + 1, windowsEnded(by: time.addingTimeInterval(-Self.settling))))
            if let outage {
                warnings.append("\(source) did not answer from \(outage.since) to \(at) (`\(outage.query)`: \(outage.error)); what it scraped meanwhile was read afterwards")
                self.outage = nil
            }
            return nil
        }
        var current = outage ?? Outage(query: failure.query, error: failure.error, since: at, rounds: 0)
        current.query = failure.query
        current.error = failure.error
        current.rounds += 1
        outage = current
        if final {
            warnings.append("\(source) did not answer at the end of the run (`\(current.query)`: \(current.error)); \(missing) after \(current.since) are missing")
            outage = nil
        } else if current.rounds >= Self.blindWindows, let stop = guards.first {
            return "Prometheus has not answered for \(current.rounds) windows, so the stop condition `\(stop)` cannot be checked: `\(current.query)`: \(current.error)"
        }
        return nil
    }

    /// One series per plan query.
    public var metrics: [MetricSeries] {
        queries.map { MetricSeries(query: $0, values: values[$0] ?? []) }
    }

    /// The end of window `w` (the start of window `w + 1`).
    public func end(of w: Int) -> Date {
        origin.addingTimeInterval(Double(w + 1) * window.seconds)
    }

    /// A one-line account of a failed query: ``ObserveError``'s message, or the error.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? ObserveError { return error.message }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }

    private mutating func read(_ query: String, _ result: PrometheusQueryResult) {
        guard case .matrix(let series) = result.data else {
            warnOnce(query, "promql(\"\(query)\") did not answer a range of values; it has no value in this run")
            return
        }
        guard series.count <= 1 else {
            warnOnce(query, "promql(\"\(query)\") gave \(series.count) series; an SLI reads one (aggregate them, with sum() for example), so it has no value in this run")
            return
        }
        guard let points = series.first?.points else { return }
        let start = origin.timeIntervalSince1970, seconds = window.seconds
        for point in points where point.value.isFinite {
            let index = Int(((point.time - start) / seconds).rounded()) - 1
            if index >= 0 && index < windowCount { values[query]?[index] = point.value }
        }
    }

    private mutating func warnOnce(_ query: String, _ warning: String) {
        if warnedQueries.insert(query).inserted { warnings.append(warning) }
        values[query] = [Double?](repeating: nil, count: windowCount)
    }

    /// How many windows ended by `time`.
    private func windowsEnded(by time: Date) -> Int {
        max(0, min(windowCount, Int((time.timeIntervalSince(origin) / window.seconds).rounded(.down))))
    }
}
