import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve

/// What the lab reads from its Prometheus during a run, through QuakeObserve's API client: every
/// Envoy's outlier ejections, membership and upstream requests by response class
/// (``EnvoyStatsTimeline``, from the raw samples of each scrape), and the value of each PromQL query
/// of the plan's SLIs and stop conditions at every window's end (`query_range`, one step a window).
///
/// Each round (one per observation window, and a last one once the run is over) asks for what is
/// new since the last answer, so a late scrape or a round Prometheus missed is read by the next
/// one. A window's PromQL value is asked again until its end is `settling` behind the round, so a
/// scrape committed after the first answer still counts. A round stops at its first failed query.
/// A Prometheus that stops answering does not stop the run: the report gets a warning naming the
/// query and the error, unless the plan has a PromQL stop condition, which cannot be checked
/// blind: after `blindWindows` failed rounds in a row the round throws.
///
/// The queries are made by ``fetch(through:now:timeout:)``, which changes nothing, and their
/// answers read by ``apply(_:final:)``, so that the lab's actor is never suspended in a mutation.
struct LabPrometheus: Sendable {
    /// The answers of one round.
    struct Round: Sendable {
        /// When the round's queries were evaluated.
        var time: Date
        /// The last window the round covers.
        var window: Int
        /// The query of the Envoys' samples.
        var statsQuery: String
        /// Its answer, if it answered.
        var stats: PrometheusQueryResult?
        /// The plan's queries that answered, with the first window they cover.
        var answers: [(query: String, first: Int, result: PrometheusQueryResult)] = []
        /// The query that failed, and why; nil when every query answered.
        var failure: (query: String, error: String)?
    }

    /// A failure that lasts.
    private struct Outage: Sendable {
        var query: String
        var error: String
        var since: TimeSpan
        var rounds: Int
    }

    /// How long after a window's end its PromQL value is asked again (two 1 s scrapes).
    static let settling: TimeInterval = 2
    /// Failed rounds in a row after which a PromQL stop condition counts as blind.
    static let blindWindows = 3

    /// The Prometheus's base URL.
    let baseURL: String
    /// The Envoys' stats read so far.
    private(set) var stats: EnvoyStatsTimeline
    /// The plan's PromQL queries, each once, SLIs' first.
    let queries: [String]
    /// The plan's PromQL stop conditions.
    let guards: [StopCondition]
    /// What went wrong and did not stop the run, for the report.
    private(set) var warnings: [String] = []
    private var values: [String: [Double?]] = [:]
    private var settled = 0
    private var statsSince: Date
    private var outage: Outage?
    private var warnedQueries: Set<String> = []
    private let http: HTTPClient

    /// A reader of the Prometheus at `baseURL` (queried through `http`) for a run of `plan` whose
    /// window 0 starts at `origin`, whose Envoys are `envoys`.
    init(baseURL: String, plan: Plan, envoys: [LabLayout.Envoy], origin: Date, windowCount: Int, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
        stats = EnvoyStatsTimeline(proxies: envoys.map { .init(label: $0.name, locality: $0.locality) }, origin: origin,
                                   window: plan.target.window, windowCount: windowCount, proxyLabel: "envoy", job: PrometheusConfig.envoyJob)
        var queries: [String] = []
        for sli in plan.slos.map(\.sli) + plan.stopConditions.map(\.sli) {
            if case let .promQL(query, _) = sli, !queries.contains(query) { queries.append(query) }
        }
        self.queries = queries
        guards = plan.stopConditions.filter { if case .promQL = $0.sli { return true }; return false }
        for query in queries { values[query] = [Double?](repeating: nil, count: windowCount) }
        // The scrape before the run's start is the state events are measured from.
        statsSince = origin.addingTimeInterval(-3)
    }

    /// Names the pod at a host address in the events.
    mutating func name(address: String, pod: String) { stats.name(address: address, pod: pod) }

    /// Asks Prometheus, at `now`, for what is new about windows up to `window`: the Envoys' samples
    /// since the last answer and the unsettled windows of every plan query; each request gives up
    /// after `timeout`.
    func fetch(through window: Int, now: Date, timeout: Duration) async -> Round {
        let client = PrometheusAPIClient(baseURL: baseURL, timeout: timeout, http: http)
        var round = Round(time: now, window: window, statsQuery: stats.rangeQuery(seconds: now.timeIntervalSince(statsSince)))
        do {
            round.stats = try await client.query(round.statsQuery, at: now)
        } catch {
            round.failure = (round.statsQuery, Self.describe(error))
            return round
        }
        let first = settled
        guard first <= window else { return round }
        let step = stats.window
        for query in queries {
            do {
                let result = try await client.queryRange(query, start: end(of: first), end: end(of: window), step: .microseconds(step.microseconds))
                round.answers.append((query, first, result))
            } catch {
                round.failure = (query, Self.describe(error))
                return round
            }
        }
        return round
    }

    /// Reads a round's answers. `final` marks the last round: every window is settled and a
    /// failure is left as a warning.
    /// - Throws: ``LabError`` `api` when the plan has a PromQL stop condition and Prometheus has
    ///   not answered for ``blindWindows`` rounds in a row.
    mutating func apply(_ round: Round, final: Bool) throws(LabError) {
        var failure = round.failure
        if let result = round.stats {
            do {
                try stats.add(result)
                statsSince = round.time.addingTimeInterval(-3)
            } catch {
                failure = failure ?? (round.statsQuery, error.message)
            }
        }
        for answer in round.answers { read(answer.query, answer.result) }
        let at = TimeSpan(microseconds: Int64((round.time.timeIntervalSince(stats.origin) * 1_000_000).rounded()))
        guard let failure else {
            settled = final ? stats.windowCount : max(settled, min(round.window + 1, windowsEnded(by: round.time.addingTimeInterval(-Self.settling))))
            if let outage {
                warnings.append("the lab Prometheus did not answer from \(outage.since) to \(at) (`\(outage.query)`: \(outage.error)); what it scraped meanwhile was read afterwards")
                self.outage = nil
            }
            return
        }
        var current = outage ?? Outage(query: failure.query, error: failure.error, since: at, rounds: 0)
        current.query = failure.query
        current.error = failure.error
        current.rounds += 1
        outage = current
        if final {
            warnings.append("the lab Prometheus did not answer at the end of the run (`\(current.query)`: \(current.error)); ejections, membership and PromQL values after \(current.since) are missing")
            outage = nil
        } else if current.rounds >= Self.blindWindows, let stop = guards.first {
            throw LabError(code: .api, message: "Prometheus has not answered for \(current.rounds) windows, so the stop condition `\(stop)` cannot be checked: `\(current.query)`: \(current.error)", location: baseURL)
        }
    }

    /// The Envoys' metric series, then one series per plan query (which replaces an Envoy series of the same query).
    var metrics: [MetricSeries] {
        stats.metrics + queries.map { MetricSeries(query: $0, values: values[$0] ?? []) }
    }

    /// The Envoys' events.
    var events: [TimelineEvent] { stats.events }

    /// Returns once the Prometheus at `baseURL` has scraped all `envoys` Envoys (`up` is 1 for each):
    /// its service discovery hands the targets over up to 5 s after it starts, and a run's events
    /// are measured from a scrape taken before it.
    /// - Throws: ``LabError`` `notReady` after `timeout`, with the last answer or error.
    static func waitForScrapes(baseURL: String, envoys: Int, http: HTTPClient, timeout: Duration = .seconds(20)) async throws {
        let client = PrometheusAPIClient(baseURL: baseURL, timeout: .seconds(2), http: http)
        let query = "count(up{job=\"\(PrometheusConfig.envoyJob)\"} == 1)"
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while true {
            do {
                let answer = try await client.query(query)
                let up = if case .vector(let series) = answer.data, let count = series.first?.point.value { Int(count) } else { 0 }
                if up >= envoys { return }
                last = "\(up) of \(envoys) Envoys scraped"
            } catch {
                last = describe(error)
            }
            guard ContinuousClock.now < deadline else {
                throw LabError(code: .notReady, message: "Prometheus has not scraped every Envoy within \(timeout) (\(last))", location: baseURL)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    // MARK: Reading answers

    /// Puts a `query_range` answer's points on the windows they end; an answer of several series
    /// is left out with a warning (an SLI reads one number per window).
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
        let origin = stats.origin.timeIntervalSince1970, window = stats.window.seconds
        for point in points where point.value.isFinite {
            let index = Int(((point.time - origin) / window).rounded()) - 1
            if index >= 0 && index < stats.windowCount { values[query]?[index] = point.value }
        }
    }

    private mutating func warnOnce(_ query: String, _ warning: String) {
        if warnedQueries.insert(query).inserted { warnings.append(warning) }
        values[query] = [Double?](repeating: nil, count: stats.windowCount)
    }

    /// The end of window `w`.
    private func end(of w: Int) -> Date {
        stats.origin.addingTimeInterval(Double(w + 1) * stats.window.seconds)
    }

    /// How many windows ended by `time`.
    private func windowsEnded(by time: Date) -> Int {
        max(0, min(stats.windowCount, Int((time.timeIntervalSince(stats.origin) / stats.window.seconds).rounded(.down))))
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? ObserveError { return error.message }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }
}
