import QuakeCore
import QuakeObserve
import Testing

/// Windows by start time (lines come in completion order), the Timeline the model would produce,
/// and the observed summary's counts per code, flag, combination, cluster and host.
@Suite struct AccessLogAggregatorTests {
    static func line(_ time: String, _ code: Int, _ flags: String, _ ms: Int, _ host: String, cluster: String = "outbound|8080||checkout.shop.svc.cluster.local") -> String {
        #"{"code":\#(code),"duration_ms":\#(ms),"flags":"\#(flags)","start_time":"2024-05-01T12:00:\#(time)Z","upstream_cluster":"\#(cluster)","upstream_host":\#(host == "-" ? "null" : "\"\(host)\"")}"#
    }

    static func aggregate(_ lines: [String], hostClusters: [String: String] = [:]) throws -> (AccessLogAggregator, AccessLogSymbols) {
        var parser = AccessLogParser(syntax: .json)
        var aggregator = AccessLogAggregator(window: .seconds(1), hostClusters: hostClusters)
        for line in lines { aggregator.add(try parser.parse(line)) }
        return (aggregator, parser.symbols)
    }

    @Test func windowsAreByStartTimeNotLineOrder() throws {
        let lines = [
            Self.line("02.100", 200, "-", 5, "10.0.0.1:80"),
            Self.line("00.900", 200, "-", 1500, "10.0.0.2:80"), // slow, written after faster later ones
            Self.line("04.000", 503, "URX,UF", 30, "10.0.0.1:80"),
            Self.line("01.500", 503, "UH", 0, "-"),
            Self.line("02.999", 504, "UT", 1000, "10.0.0.2:80"),
        ]
        let (aggregator, symbols) = try Self.aggregate(lines)
        let summary = aggregator.summary(symbols: symbols)
        #expect(summary.start == 1_714_564_800_000_000)
        #expect(summary.windows.map(\.requests) == [1, 1, 2, 0, 1])
        #expect(summary.windows[3].codes.isEmpty && summary.windows[3].latency.p50 == nil)
        #expect(summary.total.requests == 5)
        #expect(summary.total.codes == [ObservedCount(name: "200", count: 2), ObservedCount(name: "503", count: 2), ObservedCount(name: "504", count: 1)])
        #expect(summary.total.flags.first { $0.name == "UF" }?.count == 1)
        #expect(summary.total.flags.first { $0.name == "URX" }?.count == 1)
        #expect(summary.total.flagCombinations.first { $0.name == "URX,UF" }?.count == 1)
        #expect(summary.total.flagCombinations.first { $0.name == "-" }?.count == 2)
        #expect(summary.total.upstreamHosts.first?.count == 2 && summary.total.upstreamHosts.contains(ObservedCount(name: "-", count: 1)))
        #expect(summary.total.latency.max == .milliseconds(1500))
        #expect(summary.windows[0].latency.max == .milliseconds(1500))

        let timeline = aggregator.timeline(symbols: symbols)
        #expect(timeline.windowCount == 5 && timeline.window == .seconds(1))
        #expect(Set(timeline.traffic.map(\.key.service)) == ["checkout"])
        #expect(timeline.traffic.allSatisfy { $0.key.client == nil && $0.key.destinationCluster == nil })
        let requests = (0..<5).map { w in timeline.traffic.reduce(0) { $0 + Int($1.requests[w]) } }
        #expect(requests == [1, 1, 2, 0, 1])
        let uh = timeline.traffic.reduce(0) { $0 + $1.count(of: .noHealthyUpstream, window: 1) }
        #expect(uh == 1)
        let successes = timeline.traffic.reduce(0) { $0 + $1.successes.reduce(0) { $0 + Int($1) } }
        #expect(successes == 2)
        #expect(timeline.latency.count == 1 && timeline.latency[0].key == LatencyKey(service: "checkout", client: nil))

        // A live stop-condition check reads the last windows only: the earlier ones stay empty,
        // the later ones are exactly the full timeline's.
        let recent = aggregator.timeline(symbols: symbols, from: 2)
        #expect(recent.windowCount == 5)
        #expect((0..<5).map { w in recent.traffic.reduce(0) { $0 + Int($1.requests[w]) } } == [0, 0, 2, 0, 1])
        #expect(recent.latency[0].histograms[0].total == 0 && recent.latency[0].histograms[2] == timeline.latency[0].histograms[2])
    }

    @Test func destinationClusterFromTheCallersHostMapAndServiceFromAuthority() throws {
        var parser = AccessLogParser(syntax: .envoy)
        var aggregator = AccessLogAggregator(window: .seconds(10), hostClusters: ["10.1.0.5:8080": "cluster-east"])
        for line in [
            #"[2024-05-01T12:00:00.100Z] "GET / HTTP/1.1" 200 - 0 5 3 2 "-" "curl" "a" "cart.shop.svc.cluster.local:80" "10.1.0.5:8080""#,
            #"[2024-05-01T12:00:00.200Z] "GET / HTTP/1.1" 200 - 0 5 3 2 "-" "curl" "b" "cart:80" "10.2.0.9:8080""#,
        ] { aggregator.add(try parser.parse(line)) }
        let timeline = aggregator.timeline(symbols: parser.symbols)
        #expect(Set(timeline.traffic.map(\.key)) == [
            TrafficKey(service: "cart", client: nil, destinationCluster: "cluster-east"),
            TrafficKey(service: "cart", client: nil, destinationCluster: nil),
        ])
        #expect(timeline.latency.count == 1)
    }

    @Test func originDropsEarlierRecordsAndAStrayLineCannotTakeAllMemory() throws {
        var parser = AccessLogParser(syntax: .json)
        var aggregator = AccessLogAggregator(window: .seconds(1), origin: 1_714_564_801_000_000)
        aggregator.add(try parser.parse(Self.line("00.500", 200, "-", 1, "a:1")))
        aggregator.add(try parser.parse(Self.line("01.500", 200, "-", 1, "a:1")))
        aggregator.add(try parser.parse(#"{"code":200,"start_time":"2199-01-01T00:00:00Z"}"#))
        #expect(aggregator.dropped == 2 && aggregator.requests == 1)
        let summary = aggregator.summary(symbols: parser.symbols)
        #expect(summary.start == 1_714_564_801_000_000 && summary.windows.count == 1 && summary.dropped == 2)
    }
}
