import Foundation
import QuakeCore
import QuakeObserve
import Testing

/// The queries that read a mesh's traffic from its Prometheus, and their answers, round after
/// round, turned into the Timeline's traffic and latency series.
@Suite struct IstioTrafficWindowsTests {
    static let start = Date(timeIntervalSince1970: 1_764_073_300)

    static func reader(services: [String] = ["svc1", "svc2"], namespace: String? = "shop", windows: Int = 4,
                       localities: [String: Locality] = [:]) -> IstioTrafficWindows {
        IstioTrafficWindows(converter: PrometheusTimeline(start: start, window: .seconds(2), windowCount: windows, clientLocalities: localities),
                            services: services, namespace: namespace)
    }

    /// A matrix of `series`, each a metric with values at grid points from `first` on (none where nil).
    static func matrix(_ series: [([String: String], [Double?])], first: Int = 0) -> PrometheusQueryResult {
        PrometheusQueryResult(data: .matrix(series.map { metric, values in
            PrometheusSeries(metric: metric, points: values.enumerated().compactMap { k, value in
                value.map { PrometheusPoint(time: start.timeIntervalSince1970 + Double(2 * (first + k)), value: $0) }
            })
        }))
    }

    static func requests(_ service: String = "svc2", code: String = "200", flags: String = "-", cluster: String = "member1",
                         extra: [String: String] = [:]) -> [String: String] {
        ["__name__": "istio_requests_total", "reporter": "source", "destination_service_name": service, "destination_service_namespace": "shop",
         "response_code": code, "response_flags": flags, "source_cluster": "member1", "destination_cluster": cluster, "pod": "client-1"]
            .merging(extra) { $1 }
    }

    static let none = PrometheusQueryResult(data: .matrix([]))

    @Test func theQueriesSelectRawSourceSeriesOfThePlansServicesInTheirNamespace() {
        let reader = Self.reader(services: ["svc1", "a.b"])
        #expect(reader.requestsQuery == #"istio_requests_total{reporter="source",destination_service_namespace="shop",destination_service_name=~"svc1|a\\.b"}"#)
        #expect(reader.durationsQuery == #"istio_request_duration_milliseconds_bucket{reporter="source",destination_service_namespace="shop",destination_service_name=~"svc1|a\\.b"}"#)
        #expect(Self.reader(services: [], namespace: nil).requestsQuery == #"istio_requests_total{reporter="source"}"#)
    }

    @Test func codesFlagsAndClustersBecomeTheSeriesTheScorerReads() throws {
        var reader = Self.reader(localities: ["member1": Locality(region: "eu", cluster: "member1", zone: "eu-1a")])
        try reader.add(requests: Self.matrix([
            (Self.requests(), [0, 200, 400, 560, 720]),
            (Self.requests(cluster: "member2"), [0, 0, 0, 40, 80]),
            (Self.requests(code: "503", flags: "UO", cluster: "unknown"), [nil, nil, nil, 20, 40]),
        ]), durations: Self.none)
        var timeline = Timeline(window: .seconds(2), windowCount: 4)
        let (traffic, _, skipped) = reader.series()
        for series in traffic { timeline.add(series) }
        let svc2 = TimelineQuery(timeline, service: "svc2")
        #expect(svc2.requests == [200, 200, 220, 220] && skipped == 0)
        #expect(svc2.successRatio(0..<2) == 100)
        #expect(svc2.successRatio(2..<4) == 100 * 400 / 440.0, "a series created during the run counts from zero")
        #expect(timeline.count(of: .upstreamOverflow, service: "svc2", 2..<4) == 40)
        #expect(timeline.trafficShare(service: "svc2", locality: "eu/member1", regionOf: { _ in "eu" }, 2..<4) == 100 * 320 / 400.0)
        let client = Locality(region: "eu", cluster: "member1", zone: "eu-1a")
        #expect(TimelineQuery(timeline, service: "svc2", client: client).requests == [200, 200, 220, 220])
    }

    @Test func aLaterAnswerReplacesTheUnsettledPointsAndKeepsTheSettledOnes() throws {
        var reader = Self.reader()
        try reader.add(requests: Self.matrix([(Self.requests(), [0, 100, 150])]), durations: Self.none)
        #expect(reader.series().traffic.first?.requests == [100, 50, 0, 0], "a window not answered yet has no requests")
        // The next round asks again from point 1, the start of the first unsettled window.
        try reader.add(requests: Self.matrix([(Self.requests(), [100, 200, 300, 400])], first: 1), durations: Self.none)
        #expect(reader.series().traffic.first?.requests == [100, 100, 100, 100])
    }

    @Test func seriesOfOtherReportersNamespacesAndServicesAreLeftOut() throws {
        var reader = Self.reader()
        try reader.add(requests: Self.matrix([
            (Self.requests(extra: ["reporter": "destination"]), [0, 100, 200, 300, 400]),
            (Self.requests(extra: ["destination_service_namespace": "other"]), [0, 100, 200, 300, 400]),
            (Self.requests("svc9"), [0, 100, 200, 300, 400]),
            (Self.requests("svc1"), [0, 10, 20, 30, 40]),
        ]), durations: Self.none)
        #expect(reader.series().traffic.map(\.key.service) == ["svc1"])
        #expect(reader.series(excluding: ["svc1"]).traffic.isEmpty, "a service the load generator reports is left to it")
    }

    @Test func bucketsBecomeEachWindowsLatency() throws {
        var reader = Self.reader()
        func bucket(_ le: String, _ values: [Double?]) -> ([String: String], [Double?]) {
            (["__name__": "istio_request_duration_milliseconds_bucket", "reporter": "source", "destination_service_name": "svc2",
              "destination_service_namespace": "shop", "le": le], values)
        }
        try reader.add(requests: Self.none, durations: Self.matrix([
            bucket("5", [0, 10, 20, 20, 20]), bucket("25", [0, 100, 200, 200, 200]), bucket("+Inf", [0, 100, 200, 300, 400]),
        ]))
        var timeline = Timeline(window: .seconds(2), windowCount: 4)
        for series in reader.series().latency { timeline.add(series) }
        let svc2 = TimelineQuery(timeline, service: "svc2")
        #expect(svc2.latency(percentile: 5, 0..<1).map { ($0 * 1000).rounded() } == 5)
        #expect(svc2.latency(percentile: 50, 0..<1).map { ($0 * 1000).rounded() } == 25)
        #expect(svc2.latency(percentile: 50, 2..<4).map { ($0 * 1000).rounded() } == 25, "the +Inf bucket is read at the largest finite bound")
    }

    @Test func anAnswerThatIsNotAMatrixIsMalformedAndReadsNothing() throws {
        var reader = Self.reader()
        let vector = PrometheusQueryResult(data: .vector([]))
        #expect(throws: ObserveError.self) { try reader.add(requests: vector, durations: Self.none) }
        #expect(throws: ObserveError.self) { try reader.add(requests: Self.matrix([(Self.requests(), [0, 5])]), durations: vector) }
        #expect(reader.series().traffic.isEmpty)
    }
}
