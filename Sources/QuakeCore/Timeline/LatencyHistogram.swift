/// A compact log-linear histogram of latencies: 16 sub-buckets per power of two from 1 µs to
/// about 2¹⁶ s, so a recorded value is known within about 6 %. Mergeable and cheap to record.
public struct LatencyHistogram: Sendable, Equatable {
    static let subBucketBits = 4
    static let subBuckets = 1 << subBucketBits
    /// How many buckets a non-empty histogram has.
    public static let bucketCount = 37 * subBuckets

    /// Counts per bucket; empty until the first value (most windows of most series stay empty).
    public private(set) var counts: [UInt32] = []
    /// How many values were recorded.
    public private(set) var total: UInt64 = 0
    /// The largest value recorded, in microseconds.
    public private(set) var maxMicroseconds: Int64 = 0

    /// An empty histogram.
    public init() {}

    /// A histogram from counts kept elsewhere (a recorder that counts into one flat buffer):
    /// `counts` is empty or `bucketCount` long, indexed by `bucket(_:)`.
    public init(counts: [UInt32], total: UInt64, maxMicroseconds: Int64) {
        precondition(counts.isEmpty || counts.count == Self.bucketCount, "a histogram has \(Self.bucketCount) buckets")
        self.counts = counts
        self.total = total
        self.maxMicroseconds = maxMicroseconds
    }

    /// The bucket a value (µs) falls in.
    public static func bucket(_ us: Int64) -> Int {
        let v = UInt64(max(us, 1))
        let magnitude = 63 - v.leadingZeroBitCount
        if magnitude < subBucketBits { return Int(v) }
        let sub = Int((v >> UInt64(magnitude - subBucketBits)) & UInt64(subBuckets - 1))
        return min(bucketCount - 1, (magnitude - subBucketBits + 1) * subBuckets + sub)
    }

    /// The upper edge of a bucket, in microseconds.
    static func upperEdge(_ bucket: Int) -> Int64 {
        if bucket < subBuckets { return Int64(bucket) }
        let magnitude = bucket / subBuckets + subBucketBits - 1
        let sub = Int64(bucket % subBuckets)
        return ((Int64(subBuckets) + sub + 1) << Int64(magnitude - subBucketBits)) - 1
    }

    /// Records one latency.
    public mutating func record(_ latency: TimeSpan) {
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: Self.bucketCount) }
        counts[Self.bucket(latency.microseconds)] &+= 1
        total += 1
        if latency.microseconds > maxMicroseconds { maxMicroseconds = latency.microseconds }
    }

    /// Records `count` latencies of the same value at once.
    public mutating func record(_ latency: TimeSpan, count: UInt32) {
        guard count > 0 else { return }
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: Self.bucketCount) }
        counts[Self.bucket(latency.microseconds)] &+= count
        total += UInt64(count)
        if latency.microseconds > maxMicroseconds { maxMicroseconds = latency.microseconds }
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.total > 0 else { return }
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: Self.bucketCount) }
        for i in counts.indices { counts[i] &+= other.counts[i] }
        total += other.total
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The latency at `percentile` (0–100); nil for an empty histogram. p100 is the exact maximum.
    public func value(atPercentile percentile: Double) -> TimeSpan? {
        guard total > 0 else { return nil }
        if percentile >= 100 { return TimeSpan(microseconds: maxMicroseconds) }
        let rank = max(1, UInt64((percentile / 100 * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += UInt64(c)
            if seen >= rank { return TimeSpan(microseconds: min(Self.upperEdge(i), maxMicroseconds)) }
        }
        return TimeSpan(microseconds: maxMicroseconds)
    }
}
