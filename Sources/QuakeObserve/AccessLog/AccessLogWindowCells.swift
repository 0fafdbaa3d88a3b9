import QuakeCore

/// What one window of access-log records holds: how many of each request kind (with the longest
/// duration among them), and how many durations of each service fell in each latency bucket, in
/// one small hash table. Its size follows the kinds and buckets that occurred in the window, not
/// its records.
struct AccessLogWindowCells: Sendable {
    /// Kind cells are keyed by the kind id: the count, and the longest duration (µs, 0 when none
    /// was longer). Latency cells are keyed by `latencyTag | service symbol << 16 | bucket`: the
    /// count, and the first duration seen (µs).
    private(set) var table = AccessLogCellTable()
    static let latencyTag: UInt64 = 1 << 62

    /// The kind cells.
    var kinds: some Sequence<AccessLogCellTable.Cell> { table.occupied.filter { $0.key & Self.latencyTag == 0 } }
    /// The latency cells, as (service, bucket, first duration, count).
    var latency: some Sequence<(service: AccessLogSymbol, bucket: Int, sample: Int64, count: UInt64)> {
        table.occupied.filter { $0.key & Self.latencyTag != 0 }.map {
            (AccessLogSymbol(rawValue: UInt32(truncatingIfNeeded: $0.key >> 16)), Int($0.key & 0xFFFF), $0.value, $0.count)
        }
    }

    /// Counts one record of kind `kind`.
    @inline(__always)
    mutating func count(kind: Int, service: AccessLogSymbol, duration: Int64?) {
        table.count(
            UInt64(kind), raisingTo: duration ?? 0,
            then: duration.map { Self.latencyTag | UInt64(service.rawValue) << 16 | UInt64(Self.bucket($0)) }, firstValue: duration ?? 0
        )
    }

    /// The `LatencyHistogram` bucket of a duration in µs, as `LatencyHistogram.record` finds it
    /// (16 sub-buckets per power of two, the last bucket open-ended); a test holds the two together.
    @inline(__always)
    static func bucket(_ us: Int64) -> Int {
        let v = UInt64(max(us, 1))
        let magnitude = 63 - v.leadingZeroBitCount
        if magnitude < 4 { return Int(v) }
        let sub = Int((v >> UInt64(magnitude - 4)) & 15)
        return min(37 * 16 - 1, (magnitude - 3) * 16 + sub)
    }

    /// The histogram of latency cells given as (bucket, first duration, count), whose longest
    /// duration was `longest`: each cell's count recorded at its first duration (the same bucket),
    /// and one of the bucket of `longest` recorded at `longest`, so percentiles and maximum are
    /// those of recording every duration.
    static func histogram(_ cells: [(bucket: Int, sample: Int64, count: UInt64)], longest: Int64) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        let top = longest > 0 ? bucket(longest) : -1
        var placed = false
        for cell in cells {
            var count = cell.count
            if !placed, cell.bucket == top {
                placed = true
                histogram.record(TimeSpan(microseconds: longest), count: 1)
                count -= 1
            }
            Self.record(&histogram, cell.sample, count)
        }
        return histogram
    }

    /// Records `count` (which may pass `UInt32.max`) durations of `us`.
    private static func record(_ histogram: inout LatencyHistogram, _ us: Int64, _ count: UInt64) {
        var left = count
        while left > 0 {
            let step = UInt32(min(left, UInt64(UInt32.max)))
            histogram.record(TimeSpan(microseconds: us), count: step)
            left -= UInt64(step)
        }
    }
}
