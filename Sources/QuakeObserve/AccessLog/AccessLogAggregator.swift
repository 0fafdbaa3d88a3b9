import QuakeCore

/// Turns access-log records into the Timeline a model run produces and into an observed summary,
/// in windows by start time (a log is written in completion order, so lines arrive out of order).
/// Costs a few array increments per record; memory grows with windows and distinct names, not lines.
public struct AccessLogAggregator: Sendable {
    /// The window length.
    public let window: TimeSpan
    /// Where window 0 starts (µs since the epoch) when the caller fixed it; else windows are aligned
    /// to multiples of `window` and start at the earliest record's.
    public let origin: Int64?
    /// The cluster of each upstream host (`address:port`), when the caller knows them.
    public var hostClusters: [String: String]
    /// For each bit of `ResponseFlags`, its index in `ResponseFlags.named` (-1 if none).
    private static let flagSlots: [Int] = (0..<32).map { bit in ResponseFlags.index(of: ResponseFlags(rawValue: 1 << UInt32(bit))) ?? -1 }

    /// At most this many windows are kept (a stray line years away must not take all memory).
    public static let maxWindows = 100_000
    /// Records dropped: started before `origin`, or so far from the others that the windows
    /// would number more than `maxWindows`.
    public private(set) var dropped = 0

    /// The absolute window number (from `origin`, else from the epoch) of `windows[0]`.
    private var firstWindow: Int64 = 0
    private var windows: [AccessLogWindowTally] = []
    private var total = AccessLogWindowTally()
    private var series: [AccessLogSeriesTally] = []
    /// The index in `series` by dense service id, then dense host id (-1 before the first record).
    private var seriesIndex: [[Int32]] = []
    /// Latency histograms by dense service id, per window.
    private var latency: [[LatencyHistogram]] = []

    /// Dense ids: of status codes (by code), and of flag combinations, clusters and hosts (by symbol).
    private var codeIDs = [Int32](repeating: -1, count: 1000)
    private var codes: [Int] = []
    private var comboIDs: [Int32] = []
    private var combos: [AccessLogSymbol] = []
    private var clusterIDs: [Int32] = []
    private var clusters: [AccessLogSymbol] = []
    private var hostIDs: [Int32] = []
    private var hosts: [AccessLogSymbol] = []
    /// Services by their cluster symbol, else their authority symbol.
    private var serviceIDs: [Int32] = []
    private var services: [AccessLogSymbol] = []

    /// An aggregator of `window`-long windows; `origin` fixes where window 0 starts (records
    /// before it are dropped and counted); `hostClusters` names the cluster of each host.
    public init(window: TimeSpan, origin: Int64? = nil, hostClusters: [String: String] = [:]) {
        precondition(window.microseconds > 0, "window must be positive")
        self.window = window
        self.origin = origin
        self.hostClusters = hostClusters
    }

    /// How many records were counted (not those dropped).
    public var requests: Int { Int(total.requests) }

    /// Where window 0 starts, µs since the epoch; nil before the first record (unless `origin` is given).
    public var start: Int64? {
        if windows.isEmpty { return origin }
        return (origin ?? 0) + firstWindow * window.microseconds
    }

    /// Counts one record.
    public mutating func add(_ record: AccessLogRecord) {
        let base = origin ?? 0
        let absolute = (record.start - base) / window.microseconds
        let span = windows.isEmpty ? 1 : max(absolute, firstWindow + Int64(windows.count) - 1) - min(absolute, firstWindow) + 1
        guard record.start >= base, span <= Self.maxWindows else {
            dropped += 1
            return
        }
        let w = windowSlot(absolute)
        let code = denseCode(record.status)
        let combo = Self.dense(record.flagText, &comboIDs, &combos)
        let cluster = Self.dense(record.upstreamCluster, &clusterIDs, &clusters)
        let host = Self.dense(record.upstreamHost, &hostIDs, &hosts)
        Self.count(&total, code: code, combo: combo, cluster: cluster, host: host, duration: record.duration)
        Self.count(&windows[w], code: code, combo: combo, cluster: cluster, host: host, duration: record.duration)

        let service = Self.dense(record.upstreamCluster != .none ? record.upstreamCluster : record.authority, &serviceIDs, &services)
        if service == seriesIndex.count {
            seriesIndex.append([])
            latency.append([LatencyHistogram](repeating: LatencyHistogram(), count: windows.count))
        }
        if host >= seriesIndex[service].count { seriesIndex[service].append(contentsOf: repeatElement(-1, count: host + 1 - seriesIndex[service].count)) }
        var s = Int(seriesIndex[service][host])
        if s < 0 {
            s = series.count
            series.append(AccessLogSeriesTally(service: services[service], host: record.upstreamHost, counts: [UInt32](repeating: 0, count: windows.count * AccessLogSeriesTally.stride)))
            seriesIndex[service][host] = Int32(s)
        }
        let o = w * AccessLogSeriesTally.stride
        series[s].counts[o] &+= 1
        if TrafficSeries.isSuccess(record.status) { series[s].counts[o + 1] &+= 1 }
        series[s].counts[o + 2 + min(5, max(0, record.status / 100))] &+= 1
        var bits = record.flags.rawValue
        while bits != 0 {
            let bit = bits.trailingZeroBitCount
            bits &= bits - 1
            if bit < Self.flagSlots.count, Self.flagSlots[bit] >= 0 { series[s].counts[o + 8 + Self.flagSlots[bit]] &+= 1 }
        }
        if let duration = record.duration { latency[service][w].record(TimeSpan(microseconds: duration)) }
    }

    /// The Timeline the model would produce for these records: traffic by service (from the
    /// upstream cluster `outbound|port||svc.ns.svc.cluster.local` → `svc`, else the cluster name,
    /// else the authority) × destination cluster (from `hostClusters`, else nil), client locality
    /// nil; latency by service. Window 0 starts at `start`.
    public func timeline(symbols: AccessLogSymbols) -> Timeline {
        let count = max(1, windows.count)
        var timeline = Timeline(window: window, windowCount: count)
        var merged: [TrafficKey: [UInt32]] = [:]
        var order: [TrafficKey] = []
        for tally in series {
            let key = TrafficKey(service: Self.service(tally.service, symbols), client: nil, destinationCluster: symbols.string(tally.host).flatMap { hostClusters[$0] })
            if merged[key] == nil {
                merged[key] = [UInt32](repeating: 0, count: count * AccessLogSeriesTally.stride)
                order.append(key)
            }
            for i in tally.counts.indices { merged[key]?[i] &+= tally.counts[i] }
        }
        let stride = AccessLogSeriesTally.stride
        for key in order {
            guard let counts = merged[key] else { continue }
            var statusClasses: [UInt32] = []
            var flags: [UInt32] = []
            for w in 0..<count {
                statusClasses.append(contentsOf: counts[w * stride + 2..<w * stride + 8])
                flags.append(contentsOf: counts[w * stride + 8..<(w + 1) * stride])
            }
            timeline.add(TrafficSeries(
                key: key,
                requests: (0..<count).map { counts[$0 * stride] },
                successes: (0..<count).map { counts[$0 * stride + 1] },
                statusClasses: statusClasses, flags: flags
            ))
        }
        var histograms: [String: [LatencyHistogram]] = [:]
        var names: [String] = []
        for (i, perWindow) in latency.enumerated() where perWindow.contains(where: { $0.total > 0 }) {
            let name = Self.service(services[i], symbols)
            if histograms[name] == nil {
                histograms[name] = [LatencyHistogram](repeating: LatencyHistogram(), count: count)
                names.append(name)
            }
            for w in perWindow.indices { histograms[name]?[w].merge(perWindow[w]) }
        }
        for name in names {
            timeline.add(LatencySeries(key: LatencyKey(service: name, client: nil), histograms: histograms[name] ?? []))
        }
        return timeline
    }

    /// The observed summary: the whole log and each window.
    public func summary(symbols: AccessLogSymbols, malformed: AccessLogMalformedLines = AccessLogMalformedLines()) -> ObservedSummary {
        let first = start ?? 0
        return ObservedSummary(
            window: window, start: first,
            total: counts(total, start: nil, symbols: symbols),
            windows: windows.enumerated().map { counts($1, start: first + Int64($0) * window.microseconds, symbols: symbols) },
            malformed: malformed, dropped: dropped
        )
    }

    /// The service a cluster or authority names.
    static func service(_ symbol: AccessLogSymbol, _ symbols: AccessLogSymbols) -> String {
        guard let name = symbols.string(symbol) else { return "-" }
        let parts = name.split(separator: "|", omittingEmptySubsequences: false)
        if parts.count == 4, let host = parts[3].split(separator: ".").first { return String(host) }
        var authority = Substring(name)
        if let colon = authority.lastIndex(of: ":"), authority[authority.index(after: colon)...].allSatisfy(\.isNumber), !authority.hasSuffix("]") {
            authority = authority[..<colon]
        }
        if authority.hasSuffix(".svc.cluster.local") || authority.hasSuffix(".svc"), let first = authority.split(separator: ".").first {
            return String(first)
        }
        return String(authority)
    }

    private func counts(_ tally: AccessLogWindowTally, start: Int64?, symbols: AccessLogSymbols) -> ObservedSummary.Counts {
        func named(_ counts: [UInt64], _ names: [AccessLogSymbol]) -> [ObservedCount] {
            counts.enumerated().filter { $0.element > 0 }.map { ObservedCount(name: symbols.string(names[$0.offset]) ?? "-", count: Int($0.element)) }
                .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
        }
        let combinations = named(tally.flagCombinations, combos)
        var single: [String: Int] = [:]
        for combination in combinations where combination.name != "-" {
            for flag in combination.name.split(separator: ",") { single[String(flag), default: 0] += combination.count }
        }
        return ObservedSummary.Counts(
            start: start, requests: Int(tally.requests),
            codes: tally.codes.enumerated().filter { $0.element > 0 }.map { ObservedCount(name: String(codes[$0.offset]), count: Int($0.element)) }
                .sorted { Int($0.name) ?? 0 < Int($1.name) ?? 0 },
            flags: single.map { ObservedCount(name: $0.key, count: $0.value) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) },
            flagCombinations: combinations,
            upstreamClusters: named(tally.clusters, clusters),
            upstreamHosts: named(tally.hosts, hosts),
            latency: ObservedLatency(tally.latency)
        )
    }

    /// The index in `windows` of absolute window `w`, adding empty windows before or after as needed.
    private mutating func windowSlot(_ w: Int64) -> Int {
        if windows.isEmpty {
            firstWindow = w
            windows.append(AccessLogWindowTally())
            grow(series: 1, front: 0)
            return 0
        }
        if w < firstWindow {
            let missing = Int(firstWindow - w)
            windows.insert(contentsOf: repeatElement(AccessLogWindowTally(), count: missing), at: 0)
            firstWindow = w
            grow(series: missing, front: missing)
            return 0
        }
        let i = Int(w - firstWindow)
        if i >= windows.count {
            let missing = i + 1 - windows.count
            windows.append(contentsOf: repeatElement(AccessLogWindowTally(), count: missing))
            grow(series: missing, front: 0)
        }
        return i
    }

    /// Adds `added` empty windows to every series, `front` of them at the front.
    private mutating func grow(series added: Int, front: Int) {
        let stride = AccessLogSeriesTally.stride
        for s in series.indices {
            series[s].counts.insert(contentsOf: repeatElement(0, count: front * stride), at: 0)
            series[s].counts.append(contentsOf: repeatElement(0, count: (added - front) * stride))
        }
        for i in latency.indices {
            latency[i].insert(contentsOf: repeatElement(LatencyHistogram(), count: front), at: 0)
            latency[i].append(contentsOf: repeatElement(LatencyHistogram(), count: added - front))
        }
    }

    @inline(__always)
    private mutating func denseCode(_ status: Int) -> Int {
        let code = min(max(status, 0), 999)
        if codeIDs[code] < 0 {
            codeIDs[code] = Int32(codes.count)
            codes.append(code)
        }
        return Int(codeIDs[code])
    }

    @inline(__always)
    private static func dense(_ symbol: AccessLogSymbol, _ ids: inout [Int32], _ names: inout [AccessLogSymbol]) -> Int {
        let i = Int(symbol.rawValue)
        if i >= ids.count { ids.append(contentsOf: repeatElement(-1, count: i + 1 - ids.count)) }
        if ids[i] < 0 {
            ids[i] = Int32(names.count)
            names.append(symbol)
        }
        return Int(ids[i])
    }

    @inline(__always)
    private static func count(_ tally: inout AccessLogWindowTally, code: Int, combo: Int, cluster: Int, host: Int, duration: Int64?) {
        tally.requests &+= 1
        AccessLogWindowTally.bump(&tally.codes, code)
        AccessLogWindowTally.bump(&tally.flagCombinations, combo)
        AccessLogWindowTally.bump(&tally.clusters, cluster)
        AccessLogWindowTally.bump(&tally.hosts, host)
        if let duration { tally.latency.record(TimeSpan(microseconds: duration)) }
    }
}
