import QuakeCore

/// Latency percentiles of observed requests, from a log-linear histogram (within about 6 %; the
/// maximum is exact). Nil values when no request had a duration.
public struct ObservedLatency: Sendable, Equatable {
    /// Requests with a duration.
    public var count: Int
    /// Median.
    public var p50: TimeSpan?
    /// 90th percentile.
    public var p90: TimeSpan?
    /// 99th percentile.
    public var p99: TimeSpan?
    /// 99.9th percentile.
    public var p999: TimeSpan?
    /// The slowest request.
    public var max: TimeSpan?

    /// The percentiles of a histogram.
    public init(_ histogram: LatencyHistogram) {
        count = Int(histogram.total)
        p50 = histogram.value(atPercentile: 50)
        p90 = histogram.value(atPercentile: 90)
        p99 = histogram.value(atPercentile: 99)
        p999 = histogram.value(atPercentile: 99.9)
        max = histogram.value(atPercentile: 100)
    }
}
