import Foundation
import QuakeCore

/// A mesh's own traffic, as Istio's standard metrics count it in Prometheus, read round by round
/// into the Timeline's traffic and latency series (by ``PrometheusTimeline``). Pure: it is fed the
/// answers to ``requestsQuery`` and ``durationsQuery`` asked as `query_range` from the start of a
/// window to the end of a later one, one step a window, and does no I/O.
///
/// Both queries select raw series, one per reporting proxy and label set, never a `sum` or an
/// `increase`: a pod that restarts resets its own counter, which only a per-series reading tells
/// from a drop in traffic, and a series Istio creates on its first request (the first 503 with
/// `UO` of a fault) counts from zero, which `increase` would miss. Only `reporter="source"` is
/// read: the client's sidecar (or the ingress gateway) counts every request once, as the caller
/// saw it, including those that never reached a destination (`UH`, `UF`, `UO`, `URX`), which the
/// destination's sidecar never sees.
///
/// Each answer's points are laid on the run's grid (point k at `start + k × window`); an answer
/// given again for the same points replaces the earlier one, so unsettled windows can be asked again.
public struct IstioTrafficWindows: Sendable {
    /// The points read so far of one query's series, each 0…windowCount, nil where none was read.
    private struct Points: Sendable {
        var values: [[String: String]: [Double?]] = [:]
        var order: [[String: String]] = []
    }

    /// The mapping of the accumulated points into Timeline series.
    public let converter: PrometheusTimeline
    /// The destination services read (`destination_service_name`); none reads every service.
    public let services: [String]
    /// The namespace of those services (`destination_service_namespace`); nil reads every namespace.
    public let namespace: String?
    private var requests = Points()
    private var durations = Points()

    /// A reader of `services` in `namespace` for the windows of `converter`.
    public init(converter: PrometheusTimeline, services: [String], namespace: String?) {
        self.converter = converter
        self.services = services
        self.namespace = namespace
    }

    /// The label matchers every query carries: the reporter, the namespace and the services.
    public var matchers: String {
        var matchers = ["reporter=\"source\""]
        if let namespace { matchers.append("destination_service_namespace=\(PromQLText.string(namespace))") }
        if !services.isEmpty {
            matchers.append("destination_service_name=~" + PromQLText.string(services.map(PromQLText.literal).joined(separator: "|")))
        }
        return matchers.joined(separator: ",")
    }

    /// The request counters: `istio_requests_total` by every label, so by response code and
    /// flags, source and destination cluster.
    public var requestsQuery: String { "istio_requests_total{\(matchers)}" }

    /// The request duration histogram's buckets: `istio_request_duration_milliseconds_bucket`.
    public var durationsQuery: String { "istio_request_duration_milliseconds_bucket{\(matchers)}" }

    /// Reads a round's answers to ``requestsQuery`` and ``durationsQuery``. Series of another
    /// reporter, namespace or service (a server that ignored a matcher) are left out.
    /// - Throws: ``ObserveError`` `malformed` when an answer is not a matrix; nothing is read then.
    public mutating func add(requests: PrometheusQueryResult, durations: PrometheusQueryResult) throws(ObserveError) {
        let requestSeries = try Self.matrix(requests, requestsQuery)
        let durationSeries = try Self.matrix(durations, durationsQuery)
        merge(requestSeries, into: &self.requests)
        merge(durationSeries, into: &self.durations)
    }

    /// The traffic and latency series read so far, but those of `excluded` services;
    /// `skipped` counts the requests with a flag name Quake does not know (the name is ignored).
    public func series(excluding excluded: Set<String> = []) -> (traffic: [TrafficSeries], latency: [LatencySeries], skipped: Int) {
        // The accumulated answers are matrices by construction, which the converter always reads.
        let (traffic, skipped) = (try? converter.traffic(result(requests))) ?? ([], 0)
        let latency = (try? converter.latency(result(durations))) ?? []
        return (traffic.filter { !excluded.contains($0.key.service) }, latency.filter { !excluded.contains($0.key.service) }, skipped)
    }

    private func merge(_ series: [PrometheusSeries], into points: inout Points) {
        let grid = PrometheusTimelineGrid(start: converter.start.timeIntervalSince1970, window: converter.window.seconds, windowCount: converter.windowCount)
        for item in series where reads(item.metric) {
            var labels = item.metric
            labels["__name__"] = nil
            var values = points.values[labels] ?? {
                points.order.append(labels)
                return [Double?](repeating: nil, count: grid.windowCount + 1)
            }()
            for (k, value) in grid.values(item.points).enumerated() where value != nil { values[k] = value }
            points.values[labels] = values
        }
    }

    private func reads(_ metric: [String: String]) -> Bool {
        if let reporter = metric["reporter"], reporter != "source" { return false }
        if let namespace, let label = metric["destination_service_namespace"], label != namespace { return false }
        if !services.isEmpty, let name = metric["destination_service_name"], !services.contains(name) { return false }
        return true
    }

    private func result(_ points: Points) -> PrometheusQueryResult {
        let start = converter.start.timeIntervalSince1970, window = converter.window.seconds
        return PrometheusQueryResult(data: .matrix(points.order.map { labels in
            let values = points.values[labels] ?? []
            return PrometheusSeries(metric: labels, points: values.indices.compactMap { k in
                values[k].map { PrometheusPoint(time: start + Double(k) * window, value: $0) }
            })
        }))
    }

    private static func matrix(_ result: PrometheusQueryResult, _ query: String) throws(ObserveError) -> [PrometheusSeries] {
        guard case .matrix(let series) = result.data else {
            throw ObserveError(code: .malformed, message: "`\(query)`: expected a range query's matrix")
        }
        return series
    }
}
