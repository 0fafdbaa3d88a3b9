/// Per-window aggregates of a Timeline for one service, the raw material of every SLI.
public struct TimelineQuery: Sendable {
    /// Requests per window.
    public private(set) var requests: [Int]
    /// Successes per window.
    public private(set) var successes: [Int]
    /// Latency per window, every client merged.
    public private(set) var latency: [LatencyHistogram]
    /// Ready replicas per window, every cluster summed.
    public private(set) var replicas: [Int]
    /// The window length.
    public let window: TimeSpan
    /// Windows whose traffic of the service was not observed (``Timeline/unobservedTraffic``).
    public let unobserved: Set<Int>

    /// The aggregates of `service` (only requests from `client` when given).
    public init(_ timeline: Timeline, service: String, client: Locality? = nil) {
        let n = timeline.windowCount
        window = timeline.window
        unobserved = timeline.unobservedTraffic[service] ?? []
        requests = Array(repeating: 0, count: n)
        successes = requests
        replicas = requests
        latency = Array(repeating: LatencyHistogram(), count: n)
        for series in timeline.traffic where series.key.service == service && (client == nil || series.key.client == client) {
            for w in 0..<n {
                requests[w] += Int(series.requests[w])
                successes[w] += Int(series.successes[w])
            }
        }
        for series in timeline.latency where series.key.service == service && (client == nil || series.key.client == client) {
            for w in 0..<n { latency[w].merge(series.histograms[w]) }
        }
        for series in timeline.replicas where series.key.service == service {
            for w in 0..<n { replicas[w] += series.ready[w] }
        }
    }

    /// Windows of `length` (rounded to whole windows) covering `range`, as index ranges.
    public func spans(of length: TimeSpan?, in range: Range<Int>) -> [Range<Int>] {
        guard let length, !range.isEmpty else { return range.isEmpty ? [] : [range] }
        let per = max(1, Int((length.microseconds + window.microseconds - 1) / window.microseconds))
        guard per < range.count else { return [range] }
        return stride(from: range.lowerBound, through: range.upperBound - per, by: 1).map { $0..<($0 + per) }
    }

    /// Success ratio in percent over windows `r`; nil without requests.
    public func successRatio(_ r: Range<Int>) -> Double? {
        let total = r.reduce(0) { $0 + requests[$1] }
        guard total > 0 else { return nil }
        return 100 * Double(r.reduce(0) { $0 + successes[$1] }) / Double(total)
    }

    /// A latency percentile in seconds over windows `r`; nil without requests.
    public func latency(percentile: Double, _ r: Range<Int>) -> Double? {
        var merged = LatencyHistogram()
        for w in r { merged.merge(latency[w]) }
        return merged.value(atPercentile: percentile)?.seconds
    }

    /// Requests per second over the observed windows of `r`; nil when none was observed.
    public func throughput(_ r: Range<Int>) -> Double? {
        let observed = observedWindows(r)
        guard observed > 0 else { return nil }
        return Double(r.reduce(0) { $0 + requests[$1] }) / (Double(observed) * window.seconds)
    }

    /// Failed requests over windows `r`.
    public func failures(_ r: Range<Int>) -> Int { r.reduce(0) { $0 + requests[$1] - successes[$1] } }

    /// Failed requests over windows `r` as an SLI value; nil when no window of `r` was observed.
    public func errorCount(_ r: Range<Int>) -> Double? {
        observedWindows(r) > 0 ? Double(failures(r)) : nil
    }

    /// How many windows of `r` had their traffic observed.
    public func observedWindows(_ r: Range<Int>) -> Int {
        unobserved.isEmpty ? r.count : r.reduce(0) { $0 + (unobserved.contains($1) ? 0 : 1) }
    }
}

extension Timeline {
    /// The share (percent) of a service's answered requests served by clusters in `locality`
    /// (`region` or `region/cluster`) over windows `r`, given which region each cluster is in.
    public func trafficShare(service: String, locality: String, regionOf: (String) -> String?, _ r: Range<Int>) -> Double? {
        let parts = locality.split(separator: "/").map(String.init)
        var inside = 0, total = 0
        for series in traffic where series.key.service == service {
            guard let cluster = series.key.destinationCluster else { continue }
            let matches = parts.count == 2 ? cluster == parts[1] : regionOf(cluster) == parts.first
            for w in r {
                total += Int(series.successes[w])
                if matches { inside += Int(series.successes[w]) }
            }
        }
        guard total > 0 else { return nil }
        return 100 * Double(inside) / Double(total)
    }

    /// Requests of a service carrying `flag` over windows `r`.
    public func count(of flag: ResponseFlags, service: String, _ r: Range<Int>) -> Int {
        traffic.filter { $0.key.service == service }.reduce(0) { sum, s in sum + r.reduce(0) { $0 + s.count(of: flag, window: $1) } }
    }
}
