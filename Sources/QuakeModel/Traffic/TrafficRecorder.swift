import QuakeCore

/// Counts finished calls during a simulation in flat arrays (one row per series and window),
/// and turns them into the Timeline's series at the end.
struct TrafficRecorder {
    /// Per (series, window): requests, successes, 6 status classes, then one count per flag.
    static let stride = 8 + ResponseFlags.count

    let windowCount: Int
    private(set) var trafficKeys: [TrafficKey] = []
    private var counts: [UInt32] = []
    private(set) var latencyKeys: [LatencyKey] = []
    private var histograms: [LatencyHistogram] = []
    /// Position of each flag bit in the counters (bit index → flag index).
    private let flagSlot: [Int]

    init(windowCount: Int) {
        self.windowCount = windowCount
        flagSlot = (0..<32).map { bit in ResponseFlags.index(of: ResponseFlags(rawValue: 1 << UInt32(bit))) ?? -1 }
    }

    mutating func addTrafficSeries(_ key: TrafficKey) -> Int {
        trafficKeys.append(key)
        counts.append(contentsOf: repeatElement(0, count: windowCount * Self.stride))
        return trafficKeys.count - 1
    }

    mutating func addLatencySeries(_ key: LatencyKey) -> Int {
        latencyKeys.append(key)
        histograms.append(contentsOf: repeatElement(LatencyHistogram(), count: windowCount))
        return latencyKeys.count - 1
    }

    @inline(__always)
    mutating func record(series: Int, window: Int, status: Int, flags: ResponseFlags, latencySeries: Int, latency: Int64) {
        let row = (series * windowCount + window) * Self.stride
        counts[row] &+= 1
        if TrafficSeries.isSuccess(status) { counts[row + 1] &+= 1 }
        counts[row + 2 + min(5, max(0, status / 100))] &+= 1
        var bits = flags.rawValue
        while bits != 0 {
            let slot = flagSlot[bits.trailingZeroBitCount]
            if slot >= 0 { counts[row + 8 + slot] &+= 1 }
            bits &= bits &- 1
        }
        histograms[latencySeries * windowCount + window].record(TimeSpan(microseconds: latency))
    }

    /// Adds every series to `timeline`.
    func fill(_ timeline: inout Timeline) {
        for (i, key) in trafficKeys.enumerated() {
            var requests = [UInt32](), successes = [UInt32](), classes = [UInt32](), flags = [UInt32]()
            requests.reserveCapacity(windowCount)
            for w in 0..<windowCount {
                let row = (i * windowCount + w) * Self.stride
                requests.append(counts[row])
                successes.append(counts[row + 1])
                classes.append(contentsOf: counts[(row + 2)..<(row + 8)])
                flags.append(contentsOf: counts[(row + 8)..<(row + Self.stride)])
            }
            timeline.add(TrafficSeries(key: key, requests: requests, successes: successes, statusClasses: classes, flags: flags))
        }
        for (i, key) in latencyKeys.enumerated() {
            timeline.add(LatencySeries(key: key, histograms: Array(histograms[(i * windowCount)..<((i + 1) * windowCount)])))
        }
    }
}
