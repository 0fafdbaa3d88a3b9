import QuakeCore

/// Ready replicas of each service in each cluster as a kubernetes run saw them change, and the
/// timeline's replica series made from them (what `replicasReady(service)` scores), as the lab
/// and the model record theirs: the count at the end of each window.
///
/// Two sources count them: Karmada's ResourceBindings (each cluster's aggregated ready replicas)
/// and the members' EndpointSlices (ready endpoints). A service seen in a binding is counted from
/// the binding alone, so that no replica counts twice; others from their endpoints.
public struct KubeReplicaLog: Sendable, Equatable {
    /// Where a count was read.
    public enum Origin: Sendable, Hashable {
        /// A ResourceBinding's aggregated status.
        case binding
        /// A Service's EndpointSlices.
        case endpoints
    }

    private struct Sample: Sendable, Equatable {
        var at: TimeSpan
        var ready: Int
    }

    private var samples: [Origin: [ReplicaKey: [Sample]]] = [:]

    /// An empty log.
    public init() {}

    /// Notes that `key` had `ready` replicas from `at` on, as `origin` counts them; a count equal
    /// to the last one is not kept.
    public mutating func record(_ key: ReplicaKey, ready: Int, at: TimeSpan, from origin: Origin) {
        if samples[origin]?[key]?.last?.ready == ready { return }
        samples[origin, default: [:]][key, default: []].append(Sample(at: at, ready: ready))
    }

    /// Fills `timeline`'s replica series, one per service and cluster seen, for windows 0 through
    /// `window`: each the last count at or before the window's end (0 before the first).
    public func fill(_ timeline: inout Timeline, through window: Int) {
        let bound = min(window, timeline.windowCount - 1)
        guard bound >= 0 else { return }
        let fromBindings = Set((samples[.binding] ?? [:]).keys.map(\.service))
        var chosen: [(ReplicaKey, [Sample])] = Array(samples[.binding] ?? [:])
        chosen += (samples[.endpoints] ?? [:]).filter { !fromBindings.contains($0.key.service) }
        for (key, counts) in chosen.sorted(by: { ($0.0.service, $0.0.cluster) < ($1.0.service, $1.0.cluster) }) {
            let series = timeline.replicaSeries(key)
            var next = 0, ready = 0
            for w in 0...bound {
                let end = TimeSpan(microseconds: timeline.window.microseconds * Int64(w + 1))
                while next < counts.count, counts[next].at <= end {
                    ready = counts[next].ready
                    next += 1
                }
                timeline.setReplicas(series: series, window: w, ready: ready)
            }
        }
    }
}
