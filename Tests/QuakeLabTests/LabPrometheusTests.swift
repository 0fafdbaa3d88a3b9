import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeLab
import QuakeObserve
import QuakeTestSupport
import Testing

/// What the lab reads from its Prometheus each window: the plan's PromQL values on the windows they
/// end, and a Prometheus that is down, hung or answering garbage turned into a warning, or into an
/// error when a PromQL stop condition would run blind.
@Suite struct LabPrometheusTests {
    static let origin = Date(timeIntervalSince1970: 1_764_073_300)
    static let healthy = "sum(envoy_cluster_endpoint_healthy)"

    static func plan(stop: Bool) throws -> Plan {
        try LabFixtures.plan("""
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: prometheus}
            topology:
              regions:
                r1:
                  c1: {zones: {a: 2}}
            services:
              backend: {replicas: 2, serviceTime: 1ms}
            traffic:
              - {from: r1/c1/a, to: backend, rate: 10/s}
            slos:
              - name: hosts
                sli: "promql(\(healthy))"
                objective: ">= 1"
            \(stop ? "stopConditions:\n  - \"promql(\(healthy)) < 1\"" : "")
            schedule: {duration: 5s}
            """)
    }

    /// A reader for `plan`'s five one-second windows from `origin`, asking the server at `url`.
    static func reader(stop: Bool = false, url: String = "http://127.0.0.1:9") throws -> LabPrometheus {
        let plan = try plan(stop: stop)
        let layout = try LabLayout(plan: plan, basePort: 26100)
        return LabPrometheus(baseURL: url, plan: plan, envoys: layout.envoys, origin: origin, windowCount: 5, http: HTTPClient())
    }

    /// A round at `seconds` after the origin covering windows up to `window`.
    static func round(at seconds: Double, window: Int, answers: [(String, Int, PrometheusQueryResult)] = [], failure: (String, String)? = nil) -> LabPrometheus.Round {
        var round = LabPrometheus.Round(time: origin.addingTimeInterval(seconds), window: window, statsQuery: "stats")
        round.stats = PrometheusQueryResult(data: .matrix([]))
        round.answers = answers.map { (query: $0.0, first: $0.1, result: $0.2) }
        round.failure = failure.map { (query: $0.0, error: $0.1) }
        return round
    }

    /// A `query_range` answer of one series with a point at each of `seconds` after the origin.
    static func range(_ points: [(Double, Double)], series: Int = 1) -> PrometheusQueryResult {
        PrometheusQueryResult(data: .matrix((0..<series).map { i in
            PrometheusSeries(metric: ["i": String(i)], points: points.map { PrometheusPoint(time: origin.timeIntervalSince1970 + $0.0, value: $0.1) })
        }))
    }

    static func values(_ reader: LabPrometheus) -> [Double?]? { reader.metrics.first { $0.query == healthy }?.values }

    @Test func aPromQLValueIsTheWindowItEnds() throws {
        var reader = try Self.reader()
        try reader.apply(Self.round(at: 3.1, window: 2, answers: [(Self.healthy, 0, Self.range([(1, 4), (2, 3), (3, 3)]))]), final: false)
        #expect(Self.values(reader) == [4, 3, 3, nil, nil])
        try reader.apply(Self.round(at: 5.2, window: 4, answers: [(Self.healthy, 1, Self.range([(2, 2), (3, 3), (4, 4), (5, 4)]))]), final: true)
        #expect(Self.values(reader) == [4, 2, 3, 4, 4], "an answer given again replaces the earlier one")
        #expect(reader.warnings.isEmpty)
    }

    @Test func severalSeriesAreLeftOutWithAWarning() throws {
        var reader = try Self.reader()
        try reader.apply(Self.round(at: 2.1, window: 1, answers: [(Self.healthy, 0, Self.range([(1, 1), (2, 1)], series: 2))]), final: false)
        try reader.apply(Self.round(at: 3.1, window: 2, answers: [(Self.healthy, 0, Self.range([(1, 1), (2, 1), (3, 1)], series: 2))]), final: false)
        #expect(Self.values(reader) == [nil, nil, nil, nil, nil])
        #expect(reader.warnings == ["promql(\"\(Self.healthy)\") gave 2 series; an SLI reads one (aggregate them, with sum() for example), so it has no value in this run"])
    }

    @Test func aPrometheusThatStopsAnsweringForAWhileIsAWarningNamingTheQuery() throws {
        var reader = try Self.reader()
        try reader.apply(Self.round(at: 1, window: 0, failure: ("stats", "could not reach Prometheus (connectionRefused)")), final: false)
        try reader.apply(Self.round(at: 2, window: 1, failure: ("stats", "could not reach Prometheus (connectionRefused)")), final: false)
        #expect(reader.warnings.isEmpty, "nothing is said while it may still answer")
        try reader.apply(Self.round(at: 3, window: 2, answers: [(Self.healthy, 0, Self.range([(1, 2), (2, 2), (3, 2)]))]), final: false)
        #expect(reader.warnings == ["the lab Prometheus did not answer from 1s to 3s (`stats`: could not reach Prometheus (connectionRefused)); what it scraped meanwhile was read afterwards"])
        #expect(Self.values(reader)?.prefix(3) == [2, 2, 2], "the windows it missed are read when it answers again")
    }

    @Test func aFailureAtTheEndIsAWarning() throws {
        var reader = try Self.reader(stop: true)
        try reader.apply(Self.round(at: 4, window: 3, failure: ("q", "Prometheus did not answer within 2 seconds (timeout)")), final: false)
        try reader.apply(Self.round(at: 7.5, window: 4, failure: ("q", "Prometheus did not answer within 10 seconds (timeout)")), final: true)
        #expect(reader.warnings == ["the lab Prometheus did not answer at the end of the run (`q`: Prometheus did not answer within 10 seconds (timeout)); ejections, membership and PromQL values after 4s are missing"])
    }

    @Test func aPromQLStopConditionDoesNotRunBlind() throws {
        var reader = try Self.reader(stop: true)
        let failure = ("stats", "not a Prometheus API answer: …")
        try reader.apply(Self.round(at: 1, window: 0, failure: failure), final: false)
        try reader.apply(Self.round(at: 2, window: 1, failure: failure), final: false)
        do {
            try reader.apply(Self.round(at: 3, window: 2, failure: failure), final: false)
            Issue.record("a third window without Prometheus did not stop the run")
        } catch {
            #expect(error.code == .api)
            #expect(error.message == "Prometheus has not answered for 3 windows, so the stop condition `promql(\"\(Self.healthy)\") < 1` cannot be checked: `stats`: not a Prometheus API answer: …")
        }
        var unguarded = try Self.reader(stop: false)
        for w in 0..<4 { try unguarded.apply(Self.round(at: Double(w + 1), window: w, failure: failure), final: false) }
    }

    @Test(.timeLimit(.minutes(1)))
    func garbageADeadPortAndAHungServerEndTheRoundAtItsFirstQuery() async throws {
        let html = LoopbackHTTPReply.respond(LoopbackHTTPResponse(headers: [("Content-Type", "text/html")], body: Data("<html>busy</html>".utf8)))
        try await LoopbackHTTPServer.with({ _ in html }) { server in
            let reader = try Self.reader(url: "http://127.0.0.1:\(server.port)")
            let round = await reader.fetch(through: 0, now: Date(), timeout: .seconds(2))
            #expect(round.failure?.query == round.statsQuery)
            #expect(round.failure?.error.hasPrefix("not a Prometheus API answer") == true, "\(String(describing: round.failure))")
            #expect(server.requests.count == 1)
        }
        let dead = try Self.reader(url: "http://127.0.0.1:\(try LoopbackHTTPServer.unusedPort())")
        let refused = await dead.fetch(through: 0, now: Date(), timeout: .seconds(2))
        #expect(refused.failure?.error.hasPrefix("could not reach Prometheus") == true, "\(String(describing: refused.failure))")
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let reader = try Self.reader(url: "http://127.0.0.1:\(server.port)")
            let started = ContinuousClock.now
            let round = await reader.fetch(through: 0, now: Date(), timeout: .milliseconds(500))
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(round.failure?.error.contains("timeout") == true, "\(String(describing: round.failure))")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aRoundAsksForWhatIsNewAndTheUnsettledWindows() async throws {
        let empty = LoopbackHTTPReply.respond(LoopbackHTTPResponse(headers: [("Content-Type", "application/json")],
                                                                   body: Data(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#.utf8)))
        try await LoopbackHTTPServer.with({ _ in empty }) { server in
            var reader = try Self.reader(url: "http://127.0.0.1:\(server.port)")
            let first = await reader.fetch(through: 2, now: Self.origin.addingTimeInterval(3.05), timeout: .seconds(2))
            #expect(first.failure == nil)
            try reader.apply(first, final: false)
            let second = await reader.fetch(through: 3, now: Self.origin.addingTimeInterval(4.05), timeout: .seconds(2))
            let queries = server.requests.map { request in
                Dictionary(uniqueKeysWithValues: (URLComponents(string: request.path)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            }
            try #require(queries.count == 4)
            // The first stats query reaches back 3 s before the start, for the scrape the run starts from.
            #expect(queries[0]["query"]?.hasSuffix("[6050ms]") == true && queries[0]["time"] == "1764073303.050")
            #expect(queries[1]["query"] == Self.healthy && queries[1]["start"] == "1764073301.000" && queries[1]["end"] == "1764073303.000" && queries[1]["step"] == "1.000")
            // Then from 3 s before the last answer; windows whose end was 2 s old (window 0) are not asked again.
            #expect(queries[2]["query"]?.hasSuffix("[4000ms]") == true)
            #expect(queries[3]["start"] == "1764073302.000" && queries[3]["end"] == "1764073304.000")
            #expect(second.failure == nil)
        }
    }
}
