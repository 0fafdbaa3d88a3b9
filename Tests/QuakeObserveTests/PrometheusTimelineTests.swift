import Foundation
import QuakeCore
import QuakeObserve
import QuakeTestSupport
import Testing

/// Prometheus `query_range` answers about Istio's metrics turned into a Timeline, and that
/// Timeline judged by the same scorer as the model's.
@Suite struct PrometheusTimelineTests {
    static let start = Date(timeIntervalSince1970: 1_764_073_300)

    /// A converter of `windows` one-second windows from `start`.
    static func converter(windows: Int, localities: [String: Locality] = [:]) -> PrometheusTimeline {
        PrometheusTimeline(start: start, window: .seconds(1), windowCount: windows, clientLocalities: localities)
    }

    /// A series with `values[k]` at point k (none where nil).
    static func series(_ metric: [String: String], _ values: [Double?]) -> PrometheusSeries {
        PrometheusSeries(metric: metric, points: values.enumerated().compactMap { k, value in
            value.map { PrometheusPoint(time: start.timeIntervalSince1970 + Double(k), value: $0) }
        })
    }

    /// An `istio_requests_total` series of `svc` with a status and flags.
    static func requests(_ values: [Double?], code: String = "200", flags: String = "-", extra: [String: String] = [:]) -> PrometheusSeries {
        series(["__name__": "istio_requests_total", "reporter": "source", "destination_service_name": "svc",
                "response_code": code, "response_flags": flags].merging(extra) { $1 }, values)
    }

    static func traffic(_ series: [PrometheusSeries], windows: Int, localities: [String: Locality] = [:]) throws -> (series: [TrafficSeries], skipped: Int) {
        try converter(windows: windows, localities: localities).traffic(PrometheusQueryResult(data: .matrix(series)))
    }

    @Test func bulkRecordEqualsRecordingOneByOne() {
        var one = LatencyHistogram()
        for _ in 0..<5 { one.record(.milliseconds(25)) }
        one.record(.milliseconds(3))
        var bulk = LatencyHistogram()
        bulk.record(.milliseconds(25), count: 5)
        bulk.record(.milliseconds(3), count: 1)
        bulk.record(.seconds(9), count: 0)
        #expect(bulk == one)
        #expect(bulk.total == 6 && bulk.maxMicroseconds == 25_000)
    }

    @Test func windowsGetTheCounterDeltas() throws {
        let (series, skipped) = try Self.traffic([Self.requests([10, 15, 15, 25, 40])], windows: 4)
        let svc = try #require(series.first)
        #expect(series.count == 1 && skipped == 0)
        #expect(svc.requests == [5, 0, 10, 15], "the value before window 0 is not counted")
        #expect(svc.successes == [5, 0, 10, 15])
    }

    @Test func aDropIsARestartCountingFromZero() throws {
        let (series, _) = try Self.traffic([Self.requests([100, 110, 5, 12, 3])], windows: 4)
        #expect(series.first?.requests == [10, 5, 7, 3])
    }

    @Test func gapsShareTheirGainInsteadOfReadingAsZero() throws {
        // Points 2 and 3 are missing, point 4 is NaN: the 31 requests from point 1 to point 5
        // are shared by windows 1–4, earlier windows taking the remainder.
        var gappy = Self.requests([0, 10, nil, nil, nil, 41, 45])
        gappy.points.append(PrometheusPoint(time: Self.start.timeIntervalSince1970 + 4, value: .nan))
        gappy.points.append(PrometheusPoint(time: Self.start.timeIntervalSince1970 + 60, value: 1000))
        let (series, _) = try Self.traffic([gappy], windows: 6)
        #expect(series.first?.requests == [10, 8, 8, 8, 7, 4], "a point outside the run is ignored")

        // A label set that first shows up at point 3 was created then: its value counts from 0 in window 2.
        let (born, _) = try Self.traffic([Self.requests([nil, nil, nil, 7, 9], code: "503", flags: "UH")], windows: 4)
        #expect(born.first?.requests == [0, 0, 7, 2])
        // A series that never grows makes no traffic series.
        let (flat, _) = try Self.traffic([Self.requests([3, 3, 3])], windows: 2)
        #expect(flat.isEmpty)
    }

    @Test func serviceNamesComeFromTheDestinationLabels() throws {
        func name(_ labels: [String: String]) throws -> String? {
            let series = Self.series(["response_code": "200", "response_flags": "-"].merging(labels) { $1 }, [0, 1])
            return try Self.traffic([series], windows: 1).series.first?.key.service
        }
        #expect(try name(["destination_service_name": "reviews", "destination_service": "other.default.svc.cluster.local"]) == "reviews")
        #expect(try name(["destination_service": "svc2.default.svc.cluster.local"]) == "svc2")
        #expect(try name(["destination_service_name": "unknown", "destination_service": "svc2.default.svc.cluster.local:9080"]) == "svc2")
        #expect(try name(["destination_service": "ratings.prod.svc"]) == "ratings")
        #expect(try name(["destination_service": "api.example.com"]) == "api.example.com")
        #expect(try name(["destination_service": "unknown"]) == "unknown")
    }

    @Test func flagCombinationsCountEveryFlagAndUnknownNamesAreSkipped() throws {
        let (series, skipped) = try Self.traffic([
            Self.requests([0, 4], code: "503", flags: "URX,UF"),
            Self.requests([0, 6], code: "503", flags: "UH"),
            Self.requests([0, 3], code: "504", flags: "UT,XYZ"),
            Self.requests([0, 50]),
        ], windows: 1)
        let svc = try #require(series.first)
        #expect(series.count == 1 && svc.requests == [63])
        #expect(svc.count(of: .upstreamRetryLimitExceeded, window: 0) == 4)
        #expect(svc.count(of: .upstreamConnectionFailure, window: 0) == 4)
        #expect(svc.count(of: .noHealthyUpstream, window: 0) == 6)
        #expect(svc.count(of: .upstreamRequestTimeout, window: 0) == 3, "the known flag of a combination with an unknown one still counts")
        let flagged: UInt32 = svc.flags.reduce(0, +)
        #expect(flagged == 17, "4 URX + 4 UF + 6 UH + 3 UT; `-` is no flag")
        #expect(skipped == 3)
    }

    @Test func statusClassesAndSuccesses() throws {
        let codes: [(String, Double)] = [("200", 10), ("201", 1), ("404", 2), ("429", 3), ("503", 4), ("0", 5), ("101", 6), ("garbled", 7)]
        let (series, _) = try Self.traffic(codes.map { Self.requests([0, $0.1], code: $0.0) }, windows: 1)
        let svc = try #require(series.first)
        #expect(svc.requests == [38])
        #expect(svc.successes == [10 + 1 + 2 + 6], "1xx–4xx succeed but 429; 5xx and no response fail")
        #expect((0..<6).map { svc.count(ofClass: $0, window: 0) } == [5 + 7, 6, 11, 0, 5, 4])
    }

    @Test func localitiesReportersAndDestinationClusters() throws {
        let east = Locality(region: "east", cluster: "c1", zone: "a")
        let (series, _) = try Self.traffic([
            Self.requests([0, 10], extra: ["source_cluster": "c1", "destination_cluster": "c2"]),
            Self.requests([0, 20], extra: ["source_cluster": "c9", "destination_cluster": "c2"]),
            Self.requests([0, 5], code: "503", flags: "UH", extra: ["source_cluster": "c1", "destination_cluster": "unknown"]),
            Self.requests([0, 99], extra: ["reporter": "destination", "source_cluster": "c1", "destination_cluster": "c2"]),
        ], windows: 1, localities: ["c1": east])
        let byKey = Dictionary(uniqueKeysWithValues: series.map { ($0.key, $0.requests) })
        #expect(byKey == [
            TrafficKey(service: "svc", client: east, destinationCluster: "c2"): [10],
            TrafficKey(service: "svc", client: nil, destinationCluster: "c2"): [20],
            TrafficKey(service: "svc", client: east, destinationCluster: nil): [5],
        ], "the destination reporter's copy is not counted again; an unmapped cluster has no locality")
    }

    @Test func histogramBucketsBecomeLatencyHistograms() throws {
        func bucket(_ le: String, _ values: [Double?], pod: String = "a") -> PrometheusSeries {
            Self.series(["__name__": "istio_request_duration_milliseconds_bucket", "reporter": "source", "destination_service": "svc.default.svc.cluster.local",
                         "le": le, "pod": pod], values)
        }
        // Window 0: 50 requests ≤ 10 ms, 40 in (10, 100], 10 above 100 ms. Window 1: pod a restarts
        // (every bucket drops) and then records 4 requests ≤ 10 ms; pod b adds 6 in (10, 100].
        let series = [
            bucket("10", [0, 50, 4]), bucket("100", [0, 90, 4]), bucket("+Inf", [0, 100, 4]),
            bucket("10", [0, 0, 0], pod: "b"), bucket("100", [0, 0, 6], pod: "b"), bucket("+Inf", [0, 0, 6], pod: "b"),
            Self.series(["destination_service_name": "svc", "le": "ten"], [0, 1000, 2000]),
            Self.series(["destination_service_name": "svc", "le": "-Inf"], [0, 1000, 2000]),
            Self.series(["destination_service_name": "svc", "le": "1e300"], [0, 1000, 2000]),
        ]
        let latency = try Self.converter(windows: 2).latency(PrometheusQueryResult(data: .matrix(series)))
        let svc = try #require(latency.first)
        #expect(latency.count == 1 && svc.key == LatencyKey(service: "svc", client: nil))
        #expect(svc.histograms.map(\.total) == [100, 10], "a bucket whose `le` is not a usable bound is left out")
        let first = svc.histograms[0]
        let p50 = try #require(first.value(atPercentile: 50)), p90 = try #require(first.value(atPercentile: 90))
        let p99 = try #require(first.value(atPercentile: 99))
        // A value is known within the histogram's precision (about 6 %) above the bound it was recorded at.
        let tenMs = TimeSpan.milliseconds(10 * 1.07)
        #expect(p50 >= .milliseconds(10) && p50 <= tenMs, "p50 at the first bucket's bound: \(p50)")
        #expect(p90 > tenMs && p90 <= .milliseconds(100), "p90 within (10, 100]: \(p90)")
        #expect(p99 == .milliseconds(100), "+Inf is recorded at the largest finite bound")
        let second = svc.histograms[1]
        #expect(second.value(atPercentile: 40).map { $0 >= .milliseconds(10) && $0 <= tenMs } == true)
        #expect(second.value(atPercentile: 41) == .milliseconds(100) && second.value(atPercentile: 100) == .milliseconds(100))
    }

    @Test func timelineCarriesReadyReplicasOverGapsAndAddsSeriesUp() throws {
        func ready(_ deployment: String, _ cluster: String?, _ values: [Double?]) -> PrometheusSeries {
            Self.series(["deployment": deployment, "namespace": "default"].merging(cluster.map { ["cluster": $0] } ?? [:]) { $1 }, values)
        }
        let (timeline, skipped) = try Self.converter(windows: 4).timeline(
            requests: PrometheusQueryResult(data: .matrix([Self.requests([0, 1, 2, 3, 4])])),
            readyReplicas: PrometheusQueryResult(data: .matrix([
                ready("svc", "c1", [3, 3, nil, 1, 2]), ready("svc", "c1", [nil, nil, 1, 1, 1]),
                ready("svc", nil, [2, 2, 2, 2, 2]), ready("svc", "c2", [nil, nil, nil, nil, nil]),
            ])))
        #expect(skipped == 0 && timeline.windowCount == 4 && timeline.window == .seconds(1))
        #expect(timeline.traffic.first?.requests == [1, 1, 1, 1])
        let replicas = Dictionary(uniqueKeysWithValues: timeline.replicas.map { ($0.key, $0.ready) })
        #expect(replicas == [
            ReplicaKey(service: "svc", cluster: "c1"): [3 + 1, 3 + 1, 1 + 1, 2 + 1],
            ReplicaKey(service: "svc", cluster: "unknown"): [2, 2, 2, 2],
        ], "a gap keeps the last value, a series starting late takes its first one, a series with no value is left out")
    }

    @Test func anAnswerThatIsNotAMatrixIsAnError() {
        let vector = PrometheusQueryResult(data: .vector([PrometheusSeriesPoint(metric: [:], point: PrometheusPoint(time: 0, value: 1))]))
        #expect(throws: ObserveError.self) { try Self.converter(windows: 1).traffic(vector) }
        #expect(throws: ObserveError.self) { try Self.converter(windows: 1).timeline(requests: PrometheusQueryResult(data: .matrix([])), durations: vector) }
    }

    /// A one-cluster plan with service `svc`, an abort of half its requests from 10 s to 20 s and `slos`.
    static func plan(slos: [SLOSpec]) -> Plan {
        let locality = Locality(region: "r", cluster: "c", zone: "z")
        let topology = Topology(regions: [Region(name: "r", clusters: [Cluster(name: "c", region: "r", zones: [Zone(name: "z", nodes: [ClusterNode(name: "n", locality: locality)])])])])
        return Plan(metadata: PlanMetadata(name: "t"), topology: topology, services: [ServiceSpec(name: "svc", replicas: 2, serviceTime: .fixed(.milliseconds(1)))],
                    propagationPolicies: [], clusterTaintPolicies: [], destinationRules: [], virtualServices: [], controlPlane: ControlPlane(),
                    traffic: [LoadSpec(from: locality, to: "svc", rate: Rate(perSecond: 100))], probes: [], slos: slos, stopConditions: [],
                    safety: SafetyPolicy(),
                    schedule: Schedule(duration: .seconds(40), faults: [FaultSpec(at: .seconds(10), duration: .seconds(10), fault: .httpAbort(service: "svc", status: 503, percentage: Percentage(50)))]),
                    target: TargetSettings(), seed: 1, warnings: [])
    }

    /// A `query_range` JSON body of Prometheus' matrix result for `series`.
    static func body(_ series: [PrometheusSeries]) -> String {
        let result = series.map { s in
            let metric = s.metric.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
            let values = s.points.map { "[\($0.time),\"\($0.value)\"]" }.joined(separator: ",")
            return "{\"metric\":{\(metric)},\"values\":[\(values)]}"
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\(result.joined(separator: ","))]}}"
    }

    @Test(.timeLimit(.minutes(1)))
    func theScorerJudgesATimelineReadFromPrometheusLikeTheModels() async throws {
        // 40 one-second windows of 100 requests to svc; in windows 10–19 five of them are aborted
        // with 503 FI. Two pods answer the 200s; pod b restarts in window 24.
        func cumulative(_ perWindow: (Int) -> Double) -> [Double?] { (0...40).map { k in (0..<k).reduce(0) { $0 + perWindow($1) } } }
        let aborted = { (w: Int) in (10..<20).contains(w) ? 5.0 : 0 }
        var podB = cumulative { 40 - aborted($0) }
        for k in 25...40 { podB[k] = Double((k - 24) * 40) }
        let requests = [
            Self.requests(cumulative { _ in 60 }, extra: ["pod": "a"]),
            Self.requests(podB, extra: ["pod": "b"]),
            Self.requests(Array(repeating: nil, count: 11) + cumulative(aborted).dropFirst(11), code: "503", flags: "FI"),
            Self.requests(cumulative { _ in 100 }, extra: ["reporter": "destination"]),
        ]
        let durations = [("5", 0.0), ("25", 100), ("+Inf", 100)].map { le, perWindow in
            Self.series(["destination_service_name": "svc", "reporter": "source", "le": le], cumulative { _ in perWindow })
        }
        let replicas = [Self.series(["deployment": "svc", "cluster": "c"], Array(repeating: 2, count: 41))]
        let timeline = try await LoopbackHTTPServer.with({ request in
            let series = request.path.contains("duration") ? durations : request.path.contains("replicas") ? replicas : requests
            return .respond(LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: Self.body(series)))
        }) { server in
            let client = PrometheusAPIClient(baseURL: server.url())
            let end = Self.start.addingTimeInterval(40)
            func range(_ query: String) async throws -> PrometheusQueryResult {
                try await client.queryRange(query, start: Self.start, end: end, step: .seconds(1))
            }
            return try Self.converter(windows: 40).timeline(
                requests: try await range("istio_requests_total"),
                durations: try await range("istio_request_duration_milliseconds_bucket"),
                readyReplicas: try await range("kube_deployment_status_replicas_ready")).timeline
        }
        #expect(timeline.traffic.reduce(0) { $0 + $1.requests.reduce(0) { $0 + Int($1) } } == 4000)

        func slo(_ name: String, _ sli: SLI, _ comparison: Objective.Comparison, _ threshold: Double, _ unit: ObjectiveUnit, window: TimeSpan? = nil) -> SLOSpec {
            SLOSpec(name: name, sli: sli, objective: Objective(comparison: comparison, threshold: threshold, unit: unit, within: nil), window: window)
        }
        let card = Scorer.score(plan: Self.plan(slos: [
            slo("overall", .successRatio(service: "svc", from: nil), .atLeast, 98, .percentage),
            slo("windowed", .successRatio(service: "svc", from: nil), .atLeast, 98, .percentage, window: .seconds(5)),
            slo("p99", .latency(service: "svc", percentile: 99), .atMost, 0.1, .duration),
            slo("rate", .throughput(service: "svc"), .atLeast, 100, .rate),
            slo("ready", .replicasReady(service: "svc"), .atLeast, 2, .number),
        ]), timeline: timeline)
        #expect(card.faults.first?.verified == true, "the FI flags verify the abort: \(card.faults.first?.evidence ?? "-")")
        #expect(card.slos[0].value == 98.75 && card.slos[0].verdict == .pass)
        #expect(card.slos[1].value == 95 && card.slos[1].verdict == .fail)
        #expect(card.slos[1].firstBreach == .seconds(15))
        #expect(card.slos[2].value == 0.025 && card.slos[2].verdict == .pass)
        #expect(card.slos[3].value == 100 && card.slos[3].verdict == .pass)
        #expect(card.slos[4].value == 2 && card.slos[4].verdict == .pass)
        #expect(card.verdict == .fail)
    }
}
