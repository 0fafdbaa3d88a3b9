import QuakeCore
import QuakeHTTP

/// Turns what a load generator saw into the Timeline a model run produces, so that a lab or real
/// run is scored exactly like a model run: one traffic series and one latency series for the
/// service the load called. Pure; costs one pass over the seconds and their latency buckets.
///
/// Each second of the load counts the requests that ended in it (answered or failed), plus those
/// given up unsent, which count as failures without a response (status class 0): a client whose
/// request could not even leave saw it fail. Response flags stay empty, since a client sees no
/// Envoy flags. Latency is measured as the load measured it (from the scheduled instant in open loop).
public enum LoadTimeline {
    /// A timeline of `window`-long windows (a whole number of seconds; 1 s by default) holding
    /// `result` from its second 0 on.
    public static func timeline(from result: LoadResult, service: String, client: Locality? = nil, window: TimeSpan = .seconds(1)) -> Timeline {
        let perWindow = max(1, Int((window.microseconds + 999_999) / 1_000_000))
        let count = max(1, (result.windows.count + perWindow - 1) / perWindow)
        var timeline = Timeline(window: TimeSpan(microseconds: Int64(perWindow) * 1_000_000), windowCount: count)
        add(result, service: service, client: client, offset: .zero, to: &timeline)
        return timeline
    }

    /// Adds `result`'s series to `timeline`, the load's second 0 starting at `offset` into the
    /// run; seconds past the timeline's end are left out, and a series of the same key is replaced.
    public static func add(_ result: LoadResult, service: String, client: Locality? = nil, offset: TimeSpan, to timeline: inout Timeline) {
        let count = timeline.windowCount
        let end = timeline.window.microseconds * Int64(count)
        var requests = [UInt32](repeating: 0, count: count)
        var successes = [UInt32](repeating: 0, count: count)
        var statusClasses = [UInt32](repeating: 0, count: count * 6)
        var histograms = [LatencyHistogram](repeating: LatencyHistogram(), count: count)
        for (second, tally) in result.windows.enumerated() {
            let start = offset.microseconds + Int64(second) * 1_000_000
            guard start >= 0, start < end else { continue }
            let w = timeline.windowIndex(at: TimeSpan(microseconds: start))
            for (status, n) in tally.statuses {
                requests[w] &+= UInt32(clamping: n)
                if TrafficSeries.isSuccess(status) { successes[w] &+= UInt32(clamping: n) }
                statusClasses[w * 6 + min(5, max(0, status / 100))] &+= UInt32(clamping: n)
            }
            let unanswered = UInt32(clamping: tally.failures + tally.unsent)
            requests[w] &+= unanswered
            statusClasses[w * 6] &+= unanswered
            for (microseconds, n) in tally.latencyCounts {
                histograms[w].record(TimeSpan(microseconds: microseconds), count: UInt32(clamping: n))
            }
        }
        timeline.add(TrafficSeries(
            key: TrafficKey(service: service, client: client, destinationCluster: nil),
            requests: requests, successes: successes, statusClasses: statusClasses,
            flags: [UInt32](repeating: 0, count: count * ResponseFlags.count)
        ))
        timeline.add(LatencySeries(key: LatencyKey(service: service, client: client), histograms: histograms))
    }
}
