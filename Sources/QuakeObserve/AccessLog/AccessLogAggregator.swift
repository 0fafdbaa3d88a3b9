import QuakeCore

/// Turns access-log records into the Timeline a model run produces and into an observed summary,
/// in windows by start time (a log is written in completion order, so lines arrive out of order).
/// Each record costs a window lookup and three small hash-table increments: the kind of request
/// (code, flags, cluster, host, service) is counted per window, and the figures are worked out
/// from those counts at the end. Memory grows with windows and with the kinds and latency buckets
/// each window saw, never with lines of kinds already seen.
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
    private var windows: [AccessLogWindowCells] = []
    private var kinds = AccessLogRequestKinds()
    /// The window the last record fell in: its index and its bounds (µs), so that the next
    /// record of the same window costs two compares.
    private var lastSlot = 0, lastLow: Int64 = 0, lastHigh: Int64 = 0

    /// An aggregator of `window`-long windows; `origin` fixes where window 0 starts (records
    /// before it are dropped and counted); `hostClusters` names the cluster of each host.
    public init(window: TimeSpan, origin: Int64? = nil, hostClusters: [String: String] = [:]) {
        precondition(window.microseconds > 0, "window must be positive")
        self.window = window
        self.origin = origin
        self.hostClusters = hostClusters
    }

    /// How many records were counted (not those dropped).
    public private(set) var requests = 0

    /// Where window 0 starts, µs since the epoch; nil before the first record (unless `origin` is given).
    public var start: Int64? {
        if windows.isEmpty { return origin }
        return (origin ?? 0) + firstWindow * window.microseconds
    }

    /// Counts one record.
    public mutating func add(_ record: AccessLogRecord) {
        let w: Int
        if record.start >= lastLow, record.start < lastHigh {
            w = lastSlot
        } else {
            guard let slot = slot(for: record.start) else {
                dropped += 1
                return
            }
            w = slot
        }
        requests += 1
        let kind = AccessLogRequestKinds.Kind(record)
        windows[w].count(kind: kinds.id(kind), service: kind.service, duration: record.duration)
    }

    /// The index in `windows` of the window a record starting at `start` falls in, adding windows
    /// as needed; nil when the record is to be dropped.
    private mutating func slot(for start: Int64) -> Int? {
        let base = origin ?? 0
        let absolute = (start - base) / window.microseconds
        let span = windows.isEmpty ? 1 : max(absolute, firstWindow + Int64(windows.count) - 1) - min(absolute, firstWindow) + 1
        guard start >= base, span <= Self.maxWindows else { return nil }
        let w = windowSlot(absolute)
        let (low, overflow) = start.subtractingReportingOverflow((start - base) % window.microseconds)
        let (high, past) = low.addingReportingOverflow(window.microseconds)
        (lastSlot, lastLow, lastHigh) = overflow || past ? (0, 0, 0) : (w, low, high)
        return w
    }

    /// The Timeline the model would produce for these records: traffic by service (from the
    /// upstream cluster `outbound|port||svc.ns.svc.cluster.local` → `svc`, else the cluster name,
    /// else the authority) × destination cluster (from `hostClusters`, else nil), client locality
    /// nil; latency by service. Window 0 starts at `start`. Windows before `first` are left empty:
    /// a live run that only checks its stop conditions reads the last few windows, and building
    /// every window at each check would make a long run fall behind its clock.
    public func timeline(symbols: AccessLogSymbols, from first: Int = 0) -> Timeline {
        let count = max(1, windows.count)
        var timeline = Timeline(window: window, windowCount: count)
        let stride = 8 + ResponseFlags.count
        // Traffic keys in order of first sight, and each kind's key.
        var keys: [TrafficKey] = []
        var keyIndex: [TrafficKey: Int] = [:]
        var keyOfKind: [Int] = []
        var services: [AccessLogSymbol] = []
        var seenService: Set<AccessLogSymbol> = []
        for kind in kinds.kinds {
            let key = TrafficKey(service: Self.service(kind.service, symbols), client: nil, destinationCluster: symbols.string(kind.host).flatMap { hostClusters[$0] })
            if let i = keyIndex[key] {
                keyOfKind.append(i)
            } else {
                keyIndex[key] = keys.count
                keyOfKind.append(keys.count)
                keys.append(key)
            }
            if seenService.insert(kind.service).inserted { services.append(kind.service) }
        }
        var counts = [[UInt32]](repeating: [UInt32](repeating: 0, count: count * stride), count: keys.count)
        var latency: [AccessLogSymbol: [LatencyHistogram]] = [:]
        for (w, cells) in windows.enumerated() where w >= first {
            let o = w * stride
            var longest: [AccessLogSymbol: Int64] = [:]
            for cell in cells.kinds {
                let kind = kinds.kinds[Int(cell.key)]
                let c = UInt32(truncatingIfNeeded: cell.count)
                let k = keyOfKind[Int(cell.key)]
                counts[k][o] &+= c
                if TrafficSeries.isSuccess(kind.status) { counts[k][o + 1] &+= c }
                counts[k][o + 2 + min(5, max(0, kind.status / 100))] &+= c
                var bits = kind.flags.rawValue
                while bits != 0 {
                    let bit = bits.trailingZeroBitCount
                    bits &= bits - 1
                    if bit < Self.flagSlots.count, Self.flagSlots[bit] >= 0 { counts[k][o + 8 + Self.flagSlots[bit]] &+= c }
                }
                longest[kind.service] = max(longest[kind.service] ?? 0, cell.value)
            }
            var byService: [AccessLogSymbol: [(bucket: Int, sample: Int64, count: UInt64)]] = [:]
            for cell in cells.latency { byService[cell.service, default: []].append((cell.bucket, cell.sample, cell.count)) }
            for (service, buckets) in byService {
                var series = latency.removeValue(forKey: service) ?? [LatencyHistogram](repeating: LatencyHistogram(), count: count)
                series[w] = AccessLogWindowCells.histogram(buckets, longest: longest[service] ?? 0)
                latency[service] = series
            }
        }
        for (k, key) in keys.enumerated() {
            let perKey = counts[k]
            var statusClasses: [UInt32] = []
            var flags: [UInt32] = []
            for w in 0..<count {
                statusClasses.append(contentsOf: perKey[w * stride + 2..<w * stride + 8])
                flags.append(contentsOf: perKey[w * stride + 8..<(w + 1) * stride])
            }
            timeline.add(TrafficSeries(
                key: key,
                requests: (0..<count).map { perKey[$0 * stride] },
                successes: (0..<count).map { perKey[$0 * stride + 1] },
                statusClasses: statusClasses, flags: flags
            ))
        }
        var histograms: [String: [LatencyHistogram]] = [:]
        var names: [String] = []
        for service in services {
            guard let perWindow = latency[service] else { continue }
            let name = Self.service(service, symbols)
            if histograms[name] == nil {
                histograms[name] = [LatencyHistogram](repeating: LatencyHistogram(), count: count)
                names.append(name)
            }
            // Merged in a local array: through the dictionary, each window's merge would copy the
            // whole series in an unoptimized build.
            var merged = histograms.removeValue(forKey: name) ?? []
            for w in perWindow.indices where w >= first && perWindow[w].total > 0 { merged[w].merge(perWindow[w]) }
            histograms[name] = merged
        }
        for name in names {
            timeline.add(LatencySeries(key: LatencyKey(service: name, client: nil), histograms: histograms[name] ?? []))
        }
        return timeline
    }

    /// The observed summary: the whole log and each window.
    public func summary(symbols: AccessLogSymbols, malformed: AccessLogMalformedLines = AccessLogMalformedLines()) -> ObservedSummary {
        let first = start ?? 0
        // Dense slots of each kind's code, flag combination, cluster and host.
        var codes: [Int] = [], combos: [AccessLogSymbol] = [], clusters: [AccessLogSymbol] = [], hosts: [AccessLogSymbol] = []
        var codeSlot: [Int: Int] = [:], comboSlot: [AccessLogSymbol: Int] = [:], clusterSlot: [AccessLogSymbol: Int] = [:], hostSlot: [AccessLogSymbol: Int] = [:]
        func slot<T: Hashable>(_ value: T, _ slots: inout [T: Int], _ values: inout [T]) -> Int {
            if let i = slots[value] { return i }
            slots[value] = values.count
            values.append(value)
            return values.count - 1
        }
        let slots = kinds.kinds.map { kind in
            (slot(min(max(kind.status, 0), 999), &codeSlot, &codes), slot(kind.flagText, &comboSlot, &combos),
             slot(kind.cluster, &clusterSlot, &clusters), slot(kind.host, &hostSlot, &hosts))
        }
        let names = (
            codes: codes.map { String($0) }, combos: combos.map { symbols.string($0) ?? "-" },
            comboFlags: combos.map { combo in symbols.string(combo).map { $0.split(separator: ",").map(String.init) } ?? [] },
            clusters: clusters.map { symbols.string($0) ?? "-" }, hosts: hosts.map { symbols.string($0) ?? "-" }
        )
        var window = [AccessLogCounter(codes.count), AccessLogCounter(combos.count), AccessLogCounter(clusters.count), AccessLogCounter(hosts.count)]
        var total = window
        var totalLatency = LatencyHistogram()
        var totalRequests: UInt64 = 0
        var perWindow: [ObservedSummary.Counts] = []
        perWindow.reserveCapacity(windows.count)
        for (w, cells) in windows.enumerated() {
            var requests: UInt64 = 0
            var longest: Int64 = 0
            for cell in cells.kinds {
                let (code, combo, cluster, host) = slots[Int(cell.key)]
                window[0].add(code, cell.count)
                window[1].add(combo, cell.count)
                window[2].add(cluster, cell.count)
                window[3].add(host, cell.count)
                total[0].add(code, cell.count)
                total[1].add(combo, cell.count)
                total[2].add(cluster, cell.count)
                total[3].add(host, cell.count)
                requests &+= cell.count
                longest = max(longest, cell.value)
            }
            let latency = AccessLogWindowCells.histogram(cells.latency.map { ($0.bucket, $0.sample, $0.count) }, longest: longest)
            totalLatency.merge(latency)
            totalRequests &+= requests
            perWindow.append(counts(
                requests: requests, start: first + Int64(w) * self.window.microseconds, latency: latency,
                codes: window[0].drain(), combos: window[1].drain(), clusters: window[2].drain(), hosts: window[3].drain(),
                names: names
            ))
        }
        return ObservedSummary(
            window: self.window, start: first,
            total: counts(
                requests: totalRequests, start: nil, latency: totalLatency,
                codes: total[0].drain(), combos: total[1].drain(), clusters: total[2].drain(), hosts: total[3].drain(),
                names: names
            ),
            windows: perWindow, malformed: malformed, dropped: dropped
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

    /// The figures of a window (or the whole log) from its counts by dense slot.
    private func counts(
        requests: UInt64, start: Int64?, latency: LatencyHistogram,
        codes: [(Int, UInt64)], combos: [(Int, UInt64)], clusters: [(Int, UInt64)], hosts: [(Int, UInt64)],
        names: (codes: [String], combos: [String], comboFlags: [[String]], clusters: [String], hosts: [String])
    ) -> ObservedSummary.Counts {
        func named(_ counts: [(Int, UInt64)], _ names: [String]) -> [ObservedCount] {
            counts.map { ObservedCount(name: names[$0.0], count: Int($0.1)) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
        }
        let combinations = named(combos, names.combos)
        var single: [String: Int] = [:]
        for (slot, count) in combos {
            for flag in names.comboFlags[slot] { single[flag, default: 0] += Int(count) }
        }
        return ObservedSummary.Counts(
            start: start, requests: Int(requests),
            codes: codes.map { ObservedCount(name: names.codes[$0.0], count: Int($0.1)) }.sorted { Int($0.name) ?? 0 < Int($1.name) ?? 0 },
            flags: single.map { ObservedCount(name: $0.key, count: $0.value) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) },
            flagCombinations: combinations,
            upstreamClusters: named(clusters, names.clusters),
            upstreamHosts: named(hosts, names.hosts),
            latency: ObservedLatency(latency)
        )
    }

    /// The index in `windows` of absolute window `w`, adding empty windows before or after as needed.
    private mutating func windowSlot(_ w: Int64) -> Int {
        if windows.isEmpty {
            firstWindow = w
            windows.append(AccessLogWindowCells())
            return 0
        }
        if w < firstWindow {
            windows.insert(contentsOf: repeatElement(AccessLogWindowCells(), count: Int(firstWindow - w)), at: 0)
            firstWindow = w
            return 0
        }
        let i = Int(w - firstWindow)
        if i >= windows.count { windows.append(contentsOf: repeatElement(AccessLogWindowCells(), count: i + 1 - windows.count)) }
        return i
    }
}
