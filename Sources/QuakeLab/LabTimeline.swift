import QuakeCore

/// Puts the lab's observations into the Timeline the model produces: the traffic and latency each
/// Envoy logged (keyed by that Envoy's client locality, as the model keys its series), the ready
/// replicas the lab's control plane kept per service and cluster, and its events. Pure.
public enum LabTimeline {
    /// One Envoy's access log as a timeline (client locality nil), from `QuakeObserve`'s aggregator
    /// whose window 0 starts when the run started.
    public struct EnvoyPart: Sendable {
        /// The client locality of the Envoy that wrote the log.
        public var locality: Locality
        /// What its log showed, window 0 at the run's start.
        public var timeline: Timeline

        /// A part from its parts.
        public init(locality: Locality, timeline: Timeline) {
            self.locality = locality
            self.timeline = timeline
        }
    }

    /// The run's timeline of `windowCount` windows of `window`: every Envoy's series re-keyed with its
    /// locality and cut or padded to the run's windows; `replicas` gives the ready pods of each
    /// (service, cluster) for each window; `events` are added in time order.
    public static func combine(_ parts: [EnvoyPart], window: TimeSpan, windowCount: Int, replicas: [ReplicaKey: [Int]], events: [TimelineEvent]) -> Timeline {
        var timeline = Timeline(window: window, windowCount: windowCount)
        let flagCount = ResponseFlags.named.count
        for part in parts {
            for series in part.timeline.traffic {
                let key = TrafficKey(service: series.key.service, client: part.locality, destinationCluster: series.key.destinationCluster)
                timeline.add(TrafficSeries(
                    key: key,
                    requests: fit(series.requests, windowCount, per: 1),
                    successes: fit(series.successes, windowCount, per: 1),
                    statusClasses: fit(series.statusClasses, windowCount, per: 6),
                    flags: fit(series.flags, windowCount, per: flagCount)))
            }
            for series in part.timeline.latency {
                let key = LatencyKey(service: series.key.service, client: part.locality)
                timeline.add(LatencySeries(key: key, histograms: fit(series.histograms, windowCount, per: 1, empty: LatencyHistogram())))
            }
        }
        for key in replicas.keys.sorted(by: { ($0.service, $0.cluster) < ($1.service, $1.cluster) }) {
            let s = timeline.replicaSeries(key)
            for (w, ready) in (replicas[key] ?? []).prefix(windowCount).enumerated() { timeline.setReplicas(series: s, window: w, ready: ready) }
        }
        for event in events.sorted(by: { $0.at < $1.at }) { timeline.add(event) }
        return timeline
    }

    /// `values` (`per` entries a window) cut or padded with `empty` to `windows` windows.
    static func fit<T>(_ values: [T], _ windows: Int, per: Int, empty: T) -> [T] {
        let wanted = windows * per
        if values.count >= wanted { return Array(values.prefix(wanted)) }
        return values + [T](repeating: empty, count: wanted - values.count)
    }

    static func fit(_ values: [UInt32], _ windows: Int, per: Int) -> [UInt32] { fit(values, windows, per: per, empty: 0) }
}
