import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve

/// What the kubernetes target reads from the mesh's Prometheus (`target.kubernetes.prometheus`)
/// during a run: the plan services' traffic from Istio's standard metrics (``IstioTrafficWindows``:
/// requests by response code and flags, source and destination cluster, and the request duration
/// histogram), and the value of each PromQL query of the plan's SLIs and stop conditions at every
/// window's end (``PrometheusRounds``, which also settles windows and turns an outage into a
/// warning, or into an error when a PromQL stop condition would run blind).
///
/// Each round (one per observation window, and a last one once the run is over) asks again for
/// every window not settled yet, so a window Prometheus did not answer is read when it answers
/// again, never scored as a window without traffic. A round stops at its first failed query.
///
/// The queries are made by ``fetch(through:now:timeout:)``, which changes nothing, and their
/// answers read by ``apply(_:final:)``, so that the target's actor is never suspended in a mutation.
struct KubePrometheus: Sendable {
    /// The answers of one round.
    struct Round: Sendable {
        /// When the round's queries were evaluated.
        var time: Date
        /// The last window the round covers.
        var window: Int
        /// The answers to the traffic queries, when both answered.
        var traffic: (requests: PrometheusQueryResult, durations: PrometheusQueryResult)?
        /// The plan's queries that answered, with the first window they cover.
        var answers: [PrometheusRounds.Answer] = []
        /// The query that failed, and why; nil when every query answered.
        var failure: PrometheusRounds.Failure?
    }

    /// The Prometheus's base URL.
    let baseURL: String
    /// The file of the bearer token Prometheus wants (`target.kubernetes.prometheusTokenFile`).
    let tokenFile: String?
    /// Services whose traffic the run's own load generator reports (the plan's `to` when it has
    /// an ingress): Prometheus's series of them are left out, so no request counts twice.
    let excluded: Set<String>
    private var traffic: IstioTrafficWindows
    private var rounds: PrometheusRounds
    /// How many windows, from the first, the traffic queries have answered.
    private var answered = 0
    /// The services whose traffic is read here.
    private let services: [String]
    private let http: HTTPClient

    /// A reader of the Prometheus at `baseURL` (queried through `http`) for a run of `plan` whose
    /// window 0 starts at `origin`.
    init(baseURL: String, plan: Plan, origin: Date, windowCount: Int, http: HTTPClient) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        tokenFile = plan.target.prometheusTokenFile
        self.http = http
        let converter = PrometheusTimeline(start: origin, window: plan.target.window, windowCount: windowCount,
                                           clientLocalities: Self.clientLocalities(plan), reporter: "source")
        traffic = IstioTrafficWindows(converter: converter, services: plan.services.map(\.name), namespace: plan.target.kubeNamespace)
        rounds = PrometheusRounds(plan: plan, origin: origin, windowCount: windowCount, source: "the Prometheus at \(self.baseURL)",
                                  missing: "traffic, latency and PromQL values")
        let excluded: Set<String> = plan.target.kubeIngress == nil ? [] : Set(plan.traffic.map(\.to))
        self.excluded = excluded
        services = plan.services.map(\.name).filter { !excluded.contains($0) }
    }

    /// Every query a round asks, in order: the traffic counters, the duration buckets, the plan's
    /// PromQL queries.
    var queries: [String] { [traffic.requestsQuery, traffic.durationsQuery] + rounds.queries }

    /// The client locality of each cluster's callers, for `source_cluster`: the `from` of the
    /// plan's traffic in that cluster when there is only one (Istio's labels name no zone), so
    /// that `successRatio(svc, from: …)` reads the calls made from there.
    static func clientLocalities(_ plan: Plan) -> [String: Locality] {
        var byCluster: [String: Set<Locality>] = [:]
        for load in plan.traffic { byCluster[load.from.cluster, default: []].insert(load.from) }
        return byCluster.compactMapValues { $0.count == 1 ? $0.first : nil }
    }

    /// Asks Prometheus, at `now`, for every unsettled window up to `window`: the traffic
    /// counters, the duration buckets, then each plan query; each request gives up after `timeout`.
    func fetch(through window: Int, now: Date, timeout: Duration) async -> Round {
        var round = Round(time: now, window: window)
        let first = rounds.settled
        guard first <= window else { return round }
        let client = PrometheusAPIClient(baseURL: baseURL, timeout: timeout, tokenFile: tokenFile, http: http)
        // Point `first` (the start of the first unsettled window) is the value its increase is told from.
        let start = first == 0 ? rounds.origin : rounds.end(of: first - 1), end = rounds.end(of: window)
        let step = Duration.microseconds(rounds.window.microseconds)
        var answers: [PrometheusQueryResult] = []
        for query in [traffic.requestsQuery, traffic.durationsQuery] {
            do {
                answers.append(try await client.queryRange(query, start: start, end: end, step: step))
            } catch {
                round.failure = (query, PrometheusRounds.describe(error))
                return round
            }
        }
        round.traffic = (answers[0], answers[1])
        (round.answers, round.failure) = await rounds.fetch(through: window, client: client)
        return round
    }

    /// Reads a round's answers. `final` marks the last round: every window is settled and a
    /// failure is left as a warning.
    /// - Throws: ``KubeError`` `api` when the plan has a PromQL stop condition and Prometheus has
    ///   not answered for ``PrometheusRounds/blindWindows`` rounds in a row.
    mutating func apply(_ round: Round, final: Bool) throws(KubeError) {
        var failure = round.failure
        if let (requests, durations) = round.traffic {
            do {
                try traffic.add(requests: requests, durations: durations)
                answered = max(answered, min(round.window + 1, rounds.windowCount))
            } catch {
                failure = failure ?? (traffic.requestsQuery, error.message)
            }
        }
        rounds.read(round.answers)
        if let blind = rounds.endRound(at: round.time, window: round.window, failure: failure, final: final) {
            throw KubeError(code: .api, message: blind, location: baseURL)
        }
    }

    /// Adds what was read to `timeline`: the services' traffic and latency (the windows no answer
    /// covered yet marked unobserved), the plan queries' values, and the warnings.
    func add(to timeline: inout Timeline) {
        let (series, latency, skipped) = traffic.series(excluding: excluded)
        if answered < rounds.windowCount {
            for service in services { timeline.unobservedTraffic[service, default: []].formUnion(answered..<rounds.windowCount) }
        }
        for item in series { timeline.add(item) }
        for item in latency { timeline.add(item) }
        for item in rounds.metrics { timeline.add(item) }
        timeline.warnings += rounds.warnings
        if skipped > 0 {
            timeline.warnings.append("\(skipped) requests in \(baseURL)'s istio_requests_total carry a response flag Quake does not know; that flag was ignored")
        }
    }
}
