import Foundation
import QuakeCore

/// Turns `query_range` answers about Istio's standard metrics into the Timeline the model
/// produces, so a run on the lab or on Kubernetes is scored like a model run. Pure: no I/O.
///
/// Every answer must be a matrix queried from `start` to `start + windowCount × window` with a
/// step of `window`: point k is read as the value at the start of window k (the last point ends
/// the last window). Query raw series, one per process (`istio_requests_total{reporter="source"}`
/// rather than a `sum`), so that a counter reset is the restart of one process.
public struct PrometheusTimeline: Sendable {
    /// The start of window 0 (the first point of each query).
    public var start: Date
    /// The Timeline window, also the query step.
    public var window: TimeSpan
    /// How many windows the run covers.
    public var windowCount: Int
    /// The caller's locality by `source_cluster`; a series from a cluster not in it (or from any
    /// cluster, when it is empty) has no client locality.
    public var clientLocalities: [String: Locality]
    /// Only series with this `reporter` label (or none) are read, so that a request counted by
    /// both sidecars counts once; nil reads every series. `source` also sees the requests that
    /// never reached a destination (no healthy upstream, connection failures).
    public var reporter: String?
    /// The label naming the service of a ready-replicas gauge (`deployment` in kube-state-metrics).
    public var replicaServiceLabel: String
    /// The label naming the cluster of a ready-replicas gauge; a series without it is in cluster `unknown`.
    public var replicaClusterLabel: String

    /// A converter for windows of `window` from `start`; `window` must be positive and `windowCount` at least 1.
    public init(start: Date, window: TimeSpan, windowCount: Int, clientLocalities: [String: Locality] = [:], reporter: String? = "source",
                replicaServiceLabel: String = "deployment", replicaClusterLabel: String = "cluster") {
        precondition(window.microseconds > 0 && windowCount > 0, "a timeline needs a positive window and at least one window")
        self.start = start
        self.window = window
        self.windowCount = windowCount
        self.clientLocalities = clientLocalities
        self.reporter = reporter
        self.replicaServiceLabel = replicaServiceLabel
        self.replicaClusterLabel = replicaClusterLabel
    }

    /// Traffic series from `istio_requests_total` counters: per-window request increments by
    /// service × client locality (from `source_cluster`) × destination cluster (`destination_cluster`,
    /// nil when missing or `unknown`), with successes, status classes from `response_code` and
    /// flag counts from `response_flags` (each flag of a combination such as `URX,UF` counted).
    /// `skipped` is how many requests carried a flag name Quake does not know (the name is ignored).
    /// - Throws: ``ObserveError`` `malformed` when the answer is not a matrix.
    public func traffic(_ requests: PrometheusQueryResult) throws -> (series: [TrafficSeries], skipped: Int) {
        let grid = grid
        var tallies: [TrafficKey: [UInt64]] = [:]
        var order: [TrafficKey] = []
        var skipped: UInt64 = 0
        // Per window: requests, successes, six status classes, then one count per flag.
        let width = 8 + ResponseFlags.count
        let flagSlots = ResponseFlags.named.indices
        for series in try Self.matrix(requests, "istio_requests_total") where reads(series.metric) {
            let increments = grid.increments(series.points)
            let total = increments.reduce(0, +)
            guard total > 0 else { continue }
            let key = TrafficKey(service: PrometheusTimelineLabels.service(series.metric), client: client(series.metric),
                                 destinationCluster: PrometheusTimelineLabels.known(series.metric["destination_cluster"]))
            let status = PrometheusTimelineLabels.status(series.metric)
            let (flags, unknown) = PrometheusTimelineLabels.flags(series.metric)
            if unknown { skipped += total }
            let slots = [0, 2 + min(5, max(0, status / 100))] + (TrafficSeries.isSuccess(status) ? [1] : [])
                + flagSlots.filter { flags.contains(ResponseFlags.named[$0].flag) }.map { 8 + $0 }
            if tallies[key] == nil {
                tallies[key] = [UInt64](repeating: 0, count: windowCount * width)
                order.append(key)
            }
            for (w, n) in increments.enumerated() where n > 0 {
                for slot in slots { tallies[key]?[w * width + slot] += n }
            }
        }
        let series = order.compactMap { key in
            tallies[key].map { counts in
                let column = { (slots: Range<Int>) in
                    (0..<windowCount).flatMap { w in slots.map { UInt32(clamping: counts[w * width + $0]) } }
                }
                return TrafficSeries(key: key, requests: column(0..<1), successes: column(1..<2),
                                     statusClasses: column(2..<8), flags: column(8..<width))
            }
        }
        return (series, Int(clamping: skipped))
    }

    /// Latency series from `istio_request_duration_milliseconds_bucket` counters, by service ×
    /// client locality: each window's increment of a bucket (less the bucket below it) is recorded
    /// at the bucket's upper bound, the `+Inf` bucket's at the largest finite bound. Series whose
    /// `le` is not `+Inf` or a number of milliseconds from 0 to 10¹², and histograms with no
    /// finite bound, are left out.
    /// - Throws: ``ObserveError`` `malformed` when the answer is not a matrix.
    public func latency(_ durations: PrometheusQueryResult) throws -> [LatencySeries] {
        let grid = grid
        var histograms: [[String: String]: [(bound: Double, increments: [UInt64])]] = [:]
        var order: [[String: String]] = []
        for series in try Self.matrix(durations, "istio_request_duration_milliseconds_bucket") where reads(series.metric) {
            guard let text = series.metric["le"], let bound = Self.bound(text),
                  bound == .infinity || (bound >= 0 && bound <= Self.largestBound) else { continue }
            var labels = series.metric
            labels["le"] = nil
            labels["__name__"] = nil
            if histograms[labels] == nil { order.append(labels) }
            histograms[labels, default: []].append((bound, grid.increments(series.points)))
        }
        var latency: [LatencyKey: [LatencyHistogram]] = [:]
        var keys: [LatencyKey] = []
        for labels in order {
            guard let buckets = histograms[labels]?.sorted(by: { $0.bound < $1.bound }),
                  let largest = buckets.last(where: { $0.bound.isFinite })?.bound else { continue }
            let key = LatencyKey(service: PrometheusTimelineLabels.service(labels), client: client(labels))
            if latency[key] == nil {
                latency[key] = [LatencyHistogram](repeating: LatencyHistogram(), count: windowCount)
                keys.append(key)
            }
            for w in 0..<windowCount {
                var below: UInt64 = 0
                for bucket in buckets where bucket.increments[w] > below {
                    latency[key]?[w].record(.milliseconds(min(bucket.bound, largest)), count: UInt32(clamping: bucket.increments[w] - below))
                    below = bucket.increments[w]
                }
            }
        }
        return keys.compactMap { key in latency[key].map { LatencySeries(key: key, histograms: $0) } }
    }

    /// The whole Timeline: traffic from `requests`, latency from `durations` and ready replicas by
    /// service × cluster (each window's value at its end, carried over gaps; series of the same
    /// service and cluster added up) from `readyReplicas` gauges such as
    /// `kube_deployment_status_replicas_ready`. `skipped` is as ``traffic(_:)`` counts it.
    /// - Throws: ``ObserveError`` `malformed` when an answer is not a matrix.
    public func timeline(requests: PrometheusQueryResult, durations: PrometheusQueryResult? = nil,
                         readyReplicas: PrometheusQueryResult? = nil) throws -> (timeline: Timeline, skipped: Int) {
        var timeline = Timeline(window: window, windowCount: windowCount)
        let (traffic, skipped) = try traffic(requests)
        for series in traffic { timeline.add(series) }
        if let durations {
            for series in try latency(durations) { timeline.add(series) }
        }
        if let readyReplicas {
            var ready: [ReplicaKey: [Double]] = [:]
            var keys: [ReplicaKey] = []
            for series in try Self.matrix(readyReplicas, "ready replicas") {
                guard let service = PrometheusTimelineLabels.known(series.metric[replicaServiceLabel]),
                      let values = grid.gauge(series.points) else { continue }
                let key = ReplicaKey(service: service, cluster: PrometheusTimelineLabels.known(series.metric[replicaClusterLabel]) ?? "unknown")
                if let sum = ready[key] {
                    ready[key] = zip(sum, values).map { $0 + $1 }
                } else {
                    ready[key] = values
                    keys.append(key)
                }
            }
            for key in keys {
                let index = timeline.replicaSeries(key)
                for (w, value) in (ready[key] ?? []).enumerated() {
                    timeline.setReplicas(series: index, window: w, ready: Int(min(max(0, value.rounded()), Double(Int32.max))))
                }
            }
        }
        return (timeline, skipped)
    }

    /// The largest finite `le` read, in milliseconds (about 31 years), far inside `TimeSpan`'s range.
    private static let largestBound = 1e12

    private var grid: PrometheusTimelineGrid {
        PrometheusTimelineGrid(start: start.timeIntervalSince1970, window: window.seconds, windowCount: windowCount)
    }

    private func reads(_ metric: [String: String]) -> Bool {
        guard let reporter, let label = metric["reporter"] else { return true }
        return label == reporter
    }

    private func client(_ metric: [String: String]) -> Locality? {
        metric["source_cluster"].flatMap { clientLocalities[$0] }
    }

    private static func bound(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { buffer in buffer.baseAddress.flatMap { PrometheusNumber.double($0, buffer.count) } }
    }

    private static func matrix(_ result: PrometheusQueryResult, _ what: String) throws -> [PrometheusSeries] {
        switch result.data {
        case .matrix(let series): return series
        case .vector: throw notMatrix(what, "an instant vector")
        case .scalar: throw notMatrix(what, "a scalar")
        case .string: throw notMatrix(what, "a string")
        }
    }

    private static func notMatrix(_ what: String, _ got: String) -> ObserveError {
        ObserveError(code: .malformed, message: "\(what): expected a range query's matrix, got \(got)")
    }
}
