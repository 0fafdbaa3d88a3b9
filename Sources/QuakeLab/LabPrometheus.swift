import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve

/// What the lab reads from its Prometheus during a run, through QuakeObserve's API client: every
/// Envoy's outlier ejections, membership and upstream requests by response class
/// (``EnvoyStatsTimeline``, from the raw samples of each scrape), and the value of each PromQL query
/// of the plan's SLIs and stop conditions at every window's end (``PrometheusRounds``, which also
/// says which windows are settled and what an outage means: a warning, or an error when a PromQL
/// stop condition would run blind).
///
/// Each round (one per observation window, and a last one once the run is over) asks for the
/// Envoys' samples since the last answer, then for the plan queries' unsettled windows.
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
        var answers: [PrometheusRounds.Answer] = []
        /// The query that failed, and why; nil when every query answered.
        var failure: PrometheusRounds.Failure?
    }

    /// The Prometheus's base URL.
    let baseURL: String
    /// The Envoys' stats read so far.
    private(set) var stats: EnvoyStatsTimeline
    /// The plan's PromQL values, the settled windows and outages.
    private var rounds: PrometheusRounds
    private var statsSince: Date
    private let http: HTTPClient

    /// A reader of the Prometheus at `baseURL` (queried through `http`) for a run of `plan` whose
    /// window 0 starts at `origin`, whose Envoys are `envoys`.
    init(baseURL: String, plan: Plan, envoys: [LabLayout.Envoy], origin: Date, windowCount: Int, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
        stats = EnvoyStatsTimeline(proxies: envoys.map { .init(label: $0.name, locality: $0.locality) }, origin: origin,
                                   window: plan.target.window, windowCount: windowCount, proxyLabel: "envoy", job: PrometheusConfig.envoyJob)
        rounds = PrometheusRounds(plan: plan, origin: origin, windowCount: windowCount, source: "the lab Prometheus",
                                  missing: "ejections, membership and PromQL values")
        // The scrape before the run's start is the state events are measured from.
        statsSince = origin.addingTimeInterval(-3)
    }

    /// What went wrong and did not stop the run, for the report.
    var warnings: [String] { rounds.warnings }

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
            round.failure = (round.statsQuery, PrometheusRounds.describe(error))
            return round
        }
        (round.answers, round.failure) = await rounds.fetch(through: window, client: client)
        return round
    }

    /// Reads a round's answers. `final` marks the last round: every window is settled and a
    /// failure is left as a warning.
    /// - Throws: ``LabError`` `api` when the plan has a PromQL stop condition and Prometheus has
    ///   not answered for ``PrometheusRounds/blindWindows`` rounds in a row.
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
        rounds.read(round.answers)
        if let blind = rounds.endRound(at: round.time, window: round.window, failure: failure, final: final) {
            throw LabError(code: .api, message: blind, location: baseURL)
        }
    }

    /// The Envoys' metric series, then one series per plan query (which replaces an Envoy series of the same query).
    var metrics: [MetricSeries] {
        stats.metrics + rounds.metrics
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
                last = PrometheusRounds.describe(error)
            }
            guard ContinuousClock.now < deadline else {
                throw LabError(code: .notReady, message: "Prometheus has not scraped every Envoy within \(timeout) (\(last))", location: baseURL)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
