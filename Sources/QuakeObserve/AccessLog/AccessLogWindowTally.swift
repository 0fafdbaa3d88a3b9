import QuakeCore

/// What one window (or a whole log) of access-log records holds, counted by dense ids
/// (see `AccessLogAggregator`): requests, codes, flag combinations, clusters, hosts, latency.
struct AccessLogWindowTally: Sendable {
    var requests: UInt64 = 0
    /// By dense code id.
    var codes: [UInt64] = []
    /// By dense flag-combination id (the combination `-` included).
    var flagCombinations: [UInt64] = []
    /// By dense cluster id.
    var clusters: [UInt64] = []
    /// By dense host id.
    var hosts: [UInt64] = []
    var latency = LatencyHistogram()

    @inline(__always)
    static func bump(_ counts: inout [UInt64], _ i: Int) {
        if i >= counts.count { counts.append(contentsOf: repeatElement(0, count: i + 1 - counts.count)) }
        counts[i] &+= 1
    }
}

/// The Timeline counts of one service × destination cluster source (an upstream cluster or
/// authority symbol × an upstream host symbol), per window.
struct AccessLogSeriesTally: Sendable {
    /// Per window, `stride` counters: requests, successes, 6 status classes, then one per flag.
    static let stride = 8 + ResponseFlags.count
    var service: AccessLogSymbol
    var host: AccessLogSymbol
    var counts: [UInt32]
}
