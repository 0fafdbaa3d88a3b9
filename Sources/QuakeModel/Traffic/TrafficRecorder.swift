import QuakeCore

/// Counts finished calls during a simulation in flat arrays (one row per series and window),
/// and turns them into the Timeline's series at the end.
///
/// Latency histograms live in one flat buffer too: a (series, window) gets its buckets the first
/// time a call ends in it (most windows of most series stay empty), so recording touches no
/// nested array.
struct TrafficRecorder {
    /// Per (series, window): requests, successes, 6 status classes, then one count per flag.
    let stride = 8 + ResponseFlags.count
    private let bucketCount = LatencyHistogram.bucketCount

    let windowCount: Int
    private(set) var trafficKeys: [TrafficKey] = []
    private var counts: ContiguousArray<UInt32> = []
    private(set) var latencyKeys: [LatencyKey] = []
    /// Per (latency series, window): where its buckets start in `buckets`, or -1 while empty.
    private var histogramStart: ContiguousArray<Int32> = []
    /// Per (latency series, window): how many latencies and the largest, µs.
    private var histogramTotals: ContiguousArray<(count: UInt64, max: Int64)> = []
    private var buckets: ContiguousArray<UInt32> = []
    /// Position of each flag bit in the counters (bit index → flag index).
    private let flagSlot: [Int]

    init(windowCount: Int) {
        self.windowCount = windowCount
        flagSlot = (0..<32).map { bit in ResponseFlags.index(of: ResponseFlags(rawValue: 1 << UInt32(bit))) ?? -1 }
    }

    mutating func addTrafficSeries(_ key: TrafficKey) -> Int {
        trafficKeys.append(key)
        counts.append(contentsOf: repeatElement(0, count: windowCount * stride))
        return trafficKeys.count - 1
    }

    mutating func addLatencySeries(_ key: LatencyKey) -> Int {
        latencyKeys.append(key)
        histogramStart.append(contentsOf: repeatElement(-1, count: windowCount))
        histogramTotals.append(contentsOf: repeatElement((count: UInt64(0), max: Int64(0)), count: windowCount))
        return latencyKeys.count - 1
    }

    @inline(__always)
    mutating func record(series: Int, window: Int, status: Int, flags: ResponseFlags, latencySeries: Int, latency: Int64) {
        let row = (series * windowCount + window) * stride
        counts.withUnsafeMutableBufferPointer { c in
            c[row] &+= 1
            if TrafficSeries.isSuccess(status) { c[row + 1] &+= 1 }
            c[row + 2 + min(5, max(0, status / 100))] &+= 1
            var bits = flags.rawValue
            while bits != 0 {
                let slot = flagSlot[bits.trailingZeroBitCount]
                if slot >= 0 { c[row + 8 + slot] &+= 1 }
                bits &= bits &- 1
            }
        }
        let h = latencySeries * windowCount + window
        var start = Int(histogramStart[h])
        if start < 0 {
            start = buckets.count
            precondition(start + bucketCount <= Int(Int32.max), "latency histograms outgrew their buffer")
            buckets.append(contentsOf: repeatElement(0, count: bucketCount))
            histogramStart[h] = Int32(start)
        }
        buckets[start + LatencyHistogram.bucket(latency)] &+= 1
        histogramTotals[h].count &+= 1
        if latency > histogramTotals[h].max { histogramTotals[h].max = latency }
    }

    /// Adds every series to `timeline`.
    func fill(_ timeline: inout Timeline) {
        for (i, key) in trafficKeys.enumerated() {
            var requests = [UInt32](), successes = [UInt32](), classes = [UInt32](), flags = [UInt32]()
            requests.reserveCapacity(windowCount)
            for w in 0..<windowCount {
                let row = (i * windowCount + w) * stride
                requests.append(counts[row])
                successes.append(counts[row + 1])
                classes.append(contentsOf: counts[(row + 2)..<(row + 8)])
                flags.append(contentsOf: counts[(row + 8)..<(row + stride)])
            }
            timeline.add(TrafficSeries(key: key, requests: requests, successes: successes, statusClasses: classes, flags: flags))
        }
        for (i, key) in latencyKeys.enumerated() {
            let histograms = (0..<windowCount).map { w -> LatencyHistogram in
                let h = i * windowCount + w
                let start = Int(histogramStart[h])
                guard start >= 0 else { return LatencyHistogram() }
                let totals = histogramTotals[h]
                return LatencyHistogram(counts: Array(buckets[start..<(start + bucketCount)]), total: totals.count, maxMicroseconds: totals.max)
            }
            timeline.add(LatencySeries(key: key, histograms: histograms))
        }
    }
}
