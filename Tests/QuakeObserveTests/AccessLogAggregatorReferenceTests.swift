@testable import QuakeObserve
import QuakeCore
import QuakeTestSupport
import Testing

/// The aggregator counts kinds of request per window and works the figures out at the end; here
/// its summary and Timeline are checked against the plainest possible reading of the same records
/// (every figure counted per record, every duration recorded in a histogram).
@Suite struct AccessLogAggregatorReferenceTests {
    @Test func latencyBucketsAreTheHistograms() {
        var values: [Int64] = [Int64.min, -5, 0, 1, 2, 15, 16, 17, 31, 32, 33, 1_000_000, Int64.max]
        var rng = SeededGenerator(seed: 0xB0C4E7)
        for shift in 0..<63 { values.append(Int64(1) << Int64(shift)); values.append((Int64(1) << Int64(shift)) - 1) }
        for _ in 0..<5000 { values.append(Int64.random(in: 0...(Int64(1) << Int64.random(in: 1...62, using: &rng)), using: &rng)) }
        for v in values {
            var histogram = LatencyHistogram()
            histogram.record(TimeSpan(microseconds: v))
            #expect(histogram.counts.firstIndex { $0 > 0 } == AccessLogWindowCells.bucket(v), "\(v)")
        }
    }

    /// Random records: out of order over a few windows, repeated names, durations missing, zero,
    /// negative or huge, codes and flags of every kind.
    static func records(_ n: Int, seed: UInt64, symbols: inout AccessLogSymbols) -> [AccessLogRecord] {
        var rng = SeededGenerator(seed: seed)
        func symbol(_ names: [String]) -> AccessLogSymbol {
            guard var name = names.randomElement(using: &rng), name != "-" else { return .none }
            return name.withUTF8 { symbols.intern($0) }
        }
        let flagTexts: [(String, ResponseFlags)] = [("-", []), ("UF", .upstreamConnectionFailure), ("URX,UF", [.upstreamRetryLimitExceeded, .upstreamConnectionFailure]), ("UH", .noHealthyUpstream), ("XX", [])]
        return (0..<n).map { _ in
            let flags = flagTexts.randomElement(using: &rng) ?? ("-", [])
            let flagText = flags.0 == "-" ? AccessLogSymbol.none : flags.0.utf8.withContiguousStorageIfAvailable { symbols.intern($0) } ?? .none
            let durations: [Int64?] = [nil, 0, -3, 1, 999, 15_000_000, Int64.random(in: 0...100_000, using: &rng), Int64.random(in: 0...40_000_000_000, using: &rng)]
            return AccessLogRecord(
                start: 1_714_564_800_000_000 + Int64.random(in: 0...7_000_000, using: &rng) - (Bool.random(using: &rng) ? 2_000_000 : 0),
                duration: durations.randomElement(using: &rng) ?? nil,
                status: [0, 200, 204, 404, 429, 503, 504, 1200, -1].randomElement(using: &rng) ?? 200,
                flags: flags.1, flagText: flagText,
                upstreamHost: symbol(["-", "10.0.0.1:80", "10.0.0.2:80", "10.0.1.1:80"]),
                upstreamCluster: symbol(["-", "-", "outbound|80||cart.shop.svc.cluster.local", "payments"]),
                authority: symbol(["-", "cart:80", "cart.shop.svc.cluster.local:80", "checkout"])
            )
        }
    }

    /// The figures of some records, counted one by one.
    static func reference(_ records: [AccessLogRecord], start: Int64?, symbols: AccessLogSymbols) -> ObservedSummary.Counts {
        var codes: [Int: Int] = [:], combos: [String: Int] = [:], clusters: [String: Int] = [:], hosts: [String: Int] = [:], single: [String: Int] = [:]
        var latency = LatencyHistogram()
        for r in records {
            codes[min(max(r.status, 0), 999), default: 0] += 1
            let combo = symbols.string(r.flagText) ?? "-"
            combos[combo, default: 0] += 1
            if combo != "-" { for flag in combo.split(separator: ",") { single[String(flag), default: 0] += 1 } }
            clusters[symbols.string(r.upstreamCluster) ?? "-", default: 0] += 1
            hosts[symbols.string(r.upstreamHost) ?? "-", default: 0] += 1
            if let d = r.duration { latency.record(TimeSpan(microseconds: d)) }
        }
        func sorted(_ counts: [String: Int]) -> [ObservedCount] {
            counts.map { ObservedCount(name: $0.key, count: $0.value) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
        }
        return ObservedSummary.Counts(
            start: start, requests: records.count,
            codes: codes.sorted { $0.key < $1.key }.map { ObservedCount(name: String($0.key), count: $0.value) },
            flags: sorted(single), flagCombinations: sorted(combos), upstreamClusters: sorted(clusters), upstreamHosts: sorted(hosts),
            latency: ObservedLatency(latency)
        )
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func summaryAndTimelineAreThoseOfCountingEveryRecord(seed: UInt64) {
        var symbols = AccessLogSymbols()
        let records = Self.records(20_000, seed: seed, symbols: &symbols)
        var aggregator = AccessLogAggregator(window: .seconds(1), hostClusters: ["10.0.1.1:80": "east"])
        for record in records { aggregator.add(record) }
        let summary = aggregator.summary(symbols: symbols)

        let first = (records.map(\.start).min() ?? 0) / 1_000_000 * 1_000_000
        #expect(summary.start == first)
        #expect(summary.total == Self.reference(records, start: nil, symbols: symbols))
        let byWindow = Dictionary(grouping: records) { Int(($0.start - first) / 1_000_000) }
        #expect(summary.windows.count == (byWindow.keys.max() ?? 0) + 1)
        for (w, counts) in summary.windows.enumerated() {
            #expect(counts == Self.reference(byWindow[w] ?? [], start: first + Int64(w) * 1_000_000, symbols: symbols), "window \(w)")
        }

        let timeline = aggregator.timeline(symbols: symbols)
        for w in 0..<summary.windows.count {
            let inWindow = byWindow[w] ?? []
            #expect(timeline.traffic.reduce(0) { $0 + Int($1.requests[w]) } == inWindow.count)
            #expect(timeline.traffic.reduce(0) { $0 + Int($1.successes[w]) } == inWindow.filter { TrafficSeries.isSuccess($0.status) }.count)
            #expect(timeline.traffic.reduce(0) { $0 + $1.count(of: .upstreamConnectionFailure, window: w) } == inWindow.filter { $0.flags.contains(.upstreamConnectionFailure) }.count)
            let east = inWindow.filter { symbols.string($0.upstreamHost) == "10.0.1.1:80" }.count
            #expect(timeline.traffic.filter { $0.key.destinationCluster == "east" }.reduce(0) { $0 + Int($1.requests[w]) } == east)
        }
        for series in timeline.latency {
            var expected = [LatencyHistogram](repeating: LatencyHistogram(), count: timeline.windowCount)
            for r in records where r.duration != nil {
                let service = AccessLogAggregator.service(r.upstreamCluster != .none ? r.upstreamCluster : r.authority, symbols)
                if service == series.key.service, let d = r.duration { expected[Int((r.start - first) / 1_000_000)].record(TimeSpan(microseconds: d)) }
            }
            #expect(series.histograms == expected, "\(series.key.service)")
        }
        #expect(Set(timeline.latency.map(\.key.service)) == ["cart", "payments", "checkout", "-"])
    }
}
