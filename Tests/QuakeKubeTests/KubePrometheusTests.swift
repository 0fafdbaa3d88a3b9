import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeKube
import QuakeObserve
import QuakePlan
import QuakeRunner
import QuakeTestSupport
import Synchronization
import Testing

/// The kubernetes target's traffic SLIs from the mesh's Prometheus: what a user sees in the
/// scorecard when a real Prometheus scrapes Istio's metrics, and a Prometheus that stops answering.
@Suite struct KubePrometheusTests {
    static func plan(prometheus: String, window: String = "1s", duration: String = "10s", extra: String = "") throws -> Plan {
        try PlanLoader.load(text: """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: kube-prometheus}
            topology:
              regions:
                eu:
                  member1: {zones: {eu-1a: 1, eu-1b: 1}}
            services:
              svc2: {replicas: 2, serviceTime: 1ms}
            traffic:
              - {from: eu/member1/eu-1a, to: svc2, rate: 100/s}
            slos:
              - {name: available, sli: successRatio(svc2), objective: ">= 99%", window: 2s}
              - {name: fast, sli: "latency(svc2, p50)", objective: "<= 50ms"}
              - {name: local, sli: "trafficShare(svc2, eu/member1)", objective: ">= 60%", window: 2s}
              - {name: overflows, sli: "promql(sum(istio_requests_total{response_flags='UO'}))", objective: ">= 0"}
            \(extra)
            target:
              kind: kubernetes
              window: \(window)
              kubernetes: {prometheus: "\(prometheus)"}
            schedule: {duration: \(duration)}
            """, file: "kube-prometheus.yaml").plan
    }

    static let origin = Date(timeIntervalSince1970: 1_764_073_300)

    @Test func eachClustersCallersAreThePlansOnlyLoadFromIt() throws {
        let plan = try Self.plan(prometheus: "http://127.0.0.1:9")
        #expect(KubePrometheus.clientLocalities(plan) == ["member1": Locality(region: "eu", cluster: "member1", zone: "eu-1a")])
        var two = plan
        two.traffic.append(LoadSpec(from: Locality(region: "eu", cluster: "member1", zone: "eu-1b"), to: "svc2", rate: plan.traffic[0].rate))
        #expect(KubePrometheus.clientLocalities(two).isEmpty, "two zones of one cluster cannot be told apart")
    }

    @Test func aPrometheusThatStopsAnsweringIsAWarningNamingItsURLAndQuery() throws {
        let url = "http://prometheus.monitoring:9090"
        var reader = KubePrometheus(baseURL: url, plan: try Self.plan(prometheus: url), origin: Self.origin, windowCount: 10, http: HTTPClient())
        let failure = ("istio_requests_total{…}", "could not reach Prometheus (connectionRefused)")
        try reader.apply(.init(time: Self.origin.addingTimeInterval(1), window: 0, failure: failure), final: false)
        try reader.apply(.init(time: Self.origin.addingTimeInterval(2), window: 1, failure: failure), final: false)
        try reader.apply(.init(time: Self.origin.addingTimeInterval(3), window: 2, failure: failure), final: false)
        try reader.apply(.init(time: Self.origin.addingTimeInterval(12), window: 9, failure: failure), final: true)
        var timeline = Timeline(window: .seconds(1), windowCount: 10)
        reader.add(to: &timeline)
        #expect(timeline.warnings == ["the Prometheus at \(url) did not answer at the end of the run (`istio_requests_total{…}`: could not reach Prometheus (connectionRefused)); traffic, latency and PromQL values after 1s are missing"])
        #expect(timeline.traffic.isEmpty)
        #expect(timeline.unobservedTraffic == ["svc2": Set(0..<10)], "no window is scored as a window without traffic")
        #expect(timeline.metrics.first?.values.allSatisfy { $0 == nil } == true)
    }

    @Test func withAnIngressTheLoadGeneratorJudgesTheServicesItCalls() throws {
        let url = "http://prometheus.monitoring:9090"
        var plan = try Self.plan(prometheus: url)
        plan.target.kubeIngress = "https://gateway.example"
        plan.services.append(ServiceSpec(name: "svc3", replicas: 1, serviceTime: .fixed(.milliseconds(1))))
        var reader = KubePrometheus(baseURL: url, plan: plan, origin: Self.origin, windowCount: 10, http: HTTPClient())
        #expect(reader.excluded == ["svc2"])
        try reader.apply(.init(time: Self.origin.addingTimeInterval(12), window: 9, failure: ("q", "cancelled")), final: true)
        var timeline = Timeline(window: .seconds(1), windowCount: 10)
        reader.add(to: &timeline)
        #expect(timeline.unobservedTraffic == ["svc3": Set(0..<10)], "svc2's windows are the load generator's to tell")
    }

    @Test func aPromQLStopConditionDoesNotRunBlind() throws {
        let url = "http://prometheus.monitoring:9090"
        let plan = try Self.plan(prometheus: url, extra: "stopConditions:\n  - \"promql(sum(istio_requests_total{response_flags='UO'})) > 1000\"")
        var reader = KubePrometheus(baseURL: url, plan: plan, origin: Self.origin, windowCount: 10, http: HTTPClient())
        let failure = ("istio_requests_total{…}", "Prometheus did not answer within 2 seconds (timeout)")
        try reader.apply(.init(time: Self.origin.addingTimeInterval(1), window: 0, failure: failure), final: false)
        try reader.apply(.init(time: Self.origin.addingTimeInterval(2), window: 1, failure: failure), final: false)
        #expect(throws: KubeError(code: .api, message: "Prometheus has not answered for 3 windows, so the stop condition `promql(\"sum(istio_requests_total{response_flags='UO'})\") > 1000` cannot be checked: `istio_requests_total{…}`: Prometheus did not answer within 2 seconds (timeout)", location: url)) {
            try reader.apply(.init(time: Self.origin.addingTimeInterval(3), window: 2, failure: failure), final: false)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDeadPrometheusEndsTheRoundAtTheTrafficQuery() async throws {
        let url = "http://127.0.0.1:\(try LoopbackHTTPServer.unusedPort())"
        let reader = KubePrometheus(baseURL: url, plan: try Self.plan(prometheus: url), origin: Date(), windowCount: 10, http: HTTPClient())
        let round = await reader.fetch(through: 0, now: Date(), timeout: .seconds(2))
        #expect(round.failure?.query.hasPrefix("istio_requests_total{reporter=\"source\"") == true, "\(String(describing: round.failure))")
        #expect(round.failure?.error.hasPrefix("could not reach Prometheus") == true, "\(String(describing: round.failure))")
    }

    @Test(.timeLimit(.minutes(1)))
    func aDryRunListsTheQueriesEachWindowAsks() async throws {
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            let plan = try Self.plan(prometheus: "http://prometheus.monitoring:9090/")
            let lines = try await KubeDryRun.actions(plan: plan, system: KubeSystemFixture.single(plan: plan, server: server.url("")))
            let start = try #require(lines.firstIndex { $0.hasPrefix("Prometheus ") })
            #expect(Array(lines[start...].prefix(4)) == [
                "Prometheus http://prometheus.monitoring:9090, asked every 1s for the windows not settled yet (query_range):",
                #"  istio_requests_total{reporter="source",destination_service_namespace="default",destination_service_name=~"svc2"}"#,
                #"  istio_request_duration_milliseconds_bucket{reporter="source",destination_service_namespace="default",destination_service_name=~"svc2"}"#,
                "  sum(istio_requests_total{response_flags='UO'})",
            ])
        }
    }

    /// A real Prometheus scrapes a mesh's Istio metrics every second while a kubernetes run of
    /// ten one-second windows lasts: 100 requests/s to svc2, 70 % served by member1; from about
    /// 6 s into the run on, member2 answers 15/s with 503 and 5/s overflow at the client (503
    /// `UO`), so svc2's success falls to 80 %.
    @Test(.enabled(if: PrometheusProcess.binary != nil, "needs `prometheus` (apt-get install prometheus)"), .timeLimit(.minutes(2)))
    func theRunIsScoredFromTheMeshsOwnTrafficInPrometheus() async throws {
        try await Self.withMesh(failingAfter: 6) { prometheus, server in
            let plan = try Self.plan(prometheus: prometheus)
            let target = try KubernetesTarget(plan: plan, system: KubeSystemFixture.single(plan: plan, server: server), run: "run-1") { _, _ in }
            let outcome = try await Runner(plan: plan, clock: ContinuousClock()).run(on: target)
            let timeline = outcome.timeline
            let card = Scorer.score(plan: plan, timeline: timeline)

            let svc2 = TimelineQuery(timeline, service: "svc2")
            #expect(svc2.successRatio(0..<4) == 100, "\(svc2.requests) \(svc2.successes)")
            #expect(svc2.successRatio(8..<10).map { (78...82).contains($0) } == true, "\(svc2.requests) \(svc2.successes)")
            #expect(svc2.throughput(1..<9).map { (70...130).contains($0) } == true, "\(svc2.requests)")
            #expect(timeline.count(of: .upstreamOverflow, service: "svc2", 0..<4) == 0)
            #expect(timeline.count(of: .upstreamOverflow, service: "svc2", 7..<10) > 0)
            #expect(!timeline.warnings.contains { $0.contains("Prometheus") }, "\(timeline.warnings)")
            #expect(timeline.unobservedTraffic.isEmpty, "\(timeline.unobservedTraffic)")

            let results = Dictionary(uniqueKeysWithValues: card.slos.map { ($0.slo.name, $0) })
            #expect(results["available"]?.verdict == .fail, "\(String(describing: results["available"]))")
            #expect(results["available"]?.value.map { (78...82).contains($0) } == true, "\(String(describing: results["available"]))")
            #expect(results["fast"]?.verdict == .pass && results["fast"]?.value.map { (0.02...0.03).contains($0) } == true,
                    "\(String(describing: results["fast"]))")
            #expect(results["local"]?.verdict == .pass && results["local"]?.value.map { (67...73).contains($0) } == true,
                    "\(String(describing: results["local"]))")
            let overflows = try #require(timeline.metrics.first { $0.query == "sum(istio_requests_total{response_flags='UO'})" })
            #expect(overflows.values.compactMap { $0 }.last.map { $0 > 0 } == true, "\(overflows.values)")
            #expect(card.verdict == .fail)
        }
    }

    /// The plan's PromQL stop condition is checked against the mesh's Prometheus every window:
    /// the first overflow (503 `UO`), about 4 s into a 30 s run, stops it.
    @Test(.enabled(if: PrometheusProcess.binary != nil, "needs `prometheus` (apt-get install prometheus)"), .timeLimit(.minutes(2)))
    func aPromQLStopConditionOnTheMeshStopsTheRun() async throws {
        try await Self.withMesh(failingAfter: 4) { prometheus, server in
            let plan = try Self.plan(prometheus: prometheus, duration: "30s", extra: "stopConditions:\n  - \"promql(sum(istio_requests_total{response_flags='UO'})) > 0\"")
            let target = try KubernetesTarget(plan: plan, system: KubeSystemFixture.single(plan: plan, server: server), run: "run-1") { _, _ in }
            let outcome = try await Runner(plan: plan, clock: ContinuousClock()).run(on: target)
            let abort = try #require(outcome.abort)
            #expect(abort.cause == .stopCondition(plan.stopConditions[0]))
            #expect(abort.at >= .seconds(4) && abort.at <= .seconds(20), "the run stopped long before its schedule's 30 s: \(abort)")
            #expect(Scorer.score(plan: plan, timeline: outcome.timeline).verdict == .aborted)
        }
    }

    /// Runs `body` with the URL of a real Prometheus scraping a mesh page (``IstioMeshPage``) and
    /// the URL of the API server for the target; the mesh starts failing `failingAfter` seconds
    /// after the target starts watching its nodes, which it does just before window 0 starts.
    private static func withMesh(failingAfter seconds: TimeInterval, _ body: (String, String) async throws -> Void) async throws {
        let node = LoopbackKubeNode()
        let mesh = IstioMeshPage()
        try await LoopbackHTTPServer.with({ request in
            if request.path == "/stats/prometheus" {
                return .respond(LoopbackHTTPResponse(headers: [("Content-Type", "text/plain; version=0.0.4")], text: mesh.page(at: Date())))
            }
            // The informer's watch starts once its first list is in, as prepare() ends and window 0 begins.
            if request.path.hasPrefix("/api/v1/nodes?watch=true") { mesh.fail(after: seconds) }
            return node.answer(request)
        }) { server in
            try await PrometheusProcess.with(scraping: server.port, metricsPath: "/stats/prometheus", job: "istio") { prometheus in
                try await waitForScrape(prometheus)
                try await body(prometheus, server.url(""))
            }
        }
    }

    /// Waits (at most 20 s) until Prometheus has scraped the page, as a mesh with traffic already has been.
    private static func waitForScrape(_ prometheus: String) async throws {
        let client = PrometheusAPIClient(baseURL: prometheus, timeout: .seconds(2))
        for _ in 0..<100 {
            if case .vector(let series) = try? await client.query("istio_requests_total").data, !series.isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("Prometheus did not scrape the mesh's page within 20 s")
    }
}

/// A mesh's `istio_requests_total` and `istio_request_duration_milliseconds_bucket`, as a
/// client sidecar in member1 exposes them, counted from the page's creation at fixed rates:
/// svc2 gets 70 requests/s answered by member1 and 30/s by member2 until the fault, then member2
/// answers 10/s, fails 15/s with 503 and 5/s overflow at the client (503 `UO`, no destination).
/// Successes take up to 25 ms, failures up to 1 ms. A series appears with its first request.
final class IstioMeshPage: Sendable {
    private let created = Date()
    private let faultAt = Mutex<Date?>(nil)

    /// Starts the fault `seconds` from now, unless it has a start already.
    func fail(after seconds: TimeInterval) {
        faultAt.withLock { $0 = $0 ?? Date().addingTimeInterval(seconds) }
    }

    /// The page at `now`.
    func page(at now: Date) -> String {
        let fault = faultAt.withLock { $0 } ?? .distantFuture
        let before = max(0, min(now, fault).timeIntervalSince(created)), after = max(0, now.timeIntervalSince(fault))
        let series: [(code: Int, flags: String, cluster: String, rate: Double, faulted: Double, bound: String)] = [
            (200, "-", "member1", 70, 70, "25"), (200, "-", "member2", 30, 10, "25"),
            (503, "-", "member2", 0, 15, "1"), (503, "UO", "unknown", 0, 5, "1"),
        ]
        var lines = ["# TYPE istio_requests_total counter", "# TYPE istio_request_duration_milliseconds histogram"]
        for item in series {
            let count = (item.rate * before + item.faulted * after).rounded(.down)
            guard count > 0 else { continue }
            let labels = #"reporter="source",source_workload="frontend",source_cluster="member1",destination_service_name="svc2","#
                + #"destination_service_namespace="default",destination_cluster="\#(item.cluster)",response_code="\#(item.code)",response_flags="\#(item.flags)""#
            lines.append("istio_requests_total{\(labels)} \(Int(count))")
            for le in ["1", "25", "+Inf"] {
                let inside = le == "+Inf" || Double(le) ?? 0 >= Double(item.bound) ?? 0
                lines.append("istio_request_duration_milliseconds_bucket{\(labels),le=\"\(le)\"} \(inside ? Int(count) : 0)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
