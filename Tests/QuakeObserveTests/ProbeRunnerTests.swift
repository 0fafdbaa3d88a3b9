import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve
import QuakeTestSupport
import Synchronization
import Testing

/// The probe runner against a real server on 127.0.0.1, on an instant clock: what it records is
/// what the scorer reads for `probeSuccess(name)`, as for a model run.
@Suite(.timeLimit(.minutes(1)))
struct ProbeRunnerTests {
    static let locality = Locality(region: "r", cluster: "c", zone: "z")

    static func reply(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        switch request.path {
        case "/healthz": .respond(LoopbackHTTPResponse(headers: [("Content-Type", "application/json")], text: #"{"status":{"indicator":"none"},"ok":true}"#))
        case "/down": .respond(LoopbackHTTPResponse(status: 503, text: "unavailable"))
        case "/degraded": .respond(LoopbackHTTPResponse(headers: [("Content-Type", "application/json")], text: #"{"status":{"indicator":"major"}}"#))
        case "/hang": .hang
        default: .respond(LoopbackHTTPResponse(status: 404, text: "no such page"))
        }
    }

    /// Probes every 2 s over 10 s in 5 s windows: checks at 2, 4, 6 and 8 s, two in each window.
    static func probes(base: String) -> [ProbeSpec] {
        [
            ProbeSpec(name: "passes", target: .url(base + "/healthz"), interval: .seconds(2), timeout: .seconds(2),
                      expectBodyContains: "indicator", expectJSON: (path: "status.indicator", equals: "none")),
            ProbeSpec(name: "status", target: .url(base + "/down"), interval: .seconds(2), timeout: .seconds(2)),
            ProbeSpec(name: "body", target: .url(base + "/healthz"), interval: .seconds(2), timeout: .seconds(2), expectBodyContains: "healthy"),
            ProbeSpec(name: "json", target: .url(base + "/degraded"), interval: .seconds(2), timeout: .seconds(2),
                      expectJSON: (path: "status.indicator", equals: "none")),
            ProbeSpec(name: "timeout", target: .url(base + "/hang"), interval: .seconds(2), timeout: .milliseconds(200)),
            ProbeSpec(name: "service", target: .service("frontend", from: locality), path: "/healthz", interval: .seconds(2), timeout: .seconds(2)),
            ProbeSpec(name: "ghost", target: .service("ghost", from: locality), interval: .seconds(2), timeout: .seconds(2)),
        ]
    }

    @Test func passingAndFailingProbesAreCountedPerWindowWithTheirReasons() async throws {
        try await LoopbackHTTPServer.with(Self.reply) { server in
            try await HTTPClient.withClient { client in
                let base = "http://127.0.0.1:\(server.port)"
                let runner = ProbeRunner(probes: Self.probes(base: base), duration: .seconds(10), window: .seconds(5), client: client) { service, _ in
                    service == "frontend" ? ServiceRoute(baseURL: server.url("/"), host: "frontend.mesh") : nil
                }
                #expect(runner.targets.map(\.url).last == server.url("/healthz"))
                #expect(runner.unresolved.map(\.name) == ["ghost"])

                let checks = Mutex<[ProbeCheck]>([])
                let series = await runner.run(clock: InstantClock()) { check in checks.withLock { $0.append(check) } }

                #expect(series.map(\.name) == ["passes", "status", "body", "json", "timeout", "service"])
                #expect(series.allSatisfy { $0.checks == [2, 2] })
                let passes = Dictionary(uniqueKeysWithValues: series.map { ($0.name, $0.passes) })
                #expect(passes == ["passes": [2, 2], "status": [0, 0], "body": [0, 0], "json": [0, 0], "timeout": [0, 0], "service": [2, 2]])
                #expect(runner.recorder.series == series)

                let recorded = checks.withLock { $0 }
                #expect(recorded.count == 24)
                #expect(Set(recorded.map(\.offset)) == [.seconds(2), .seconds(4), .seconds(6), .seconds(8)])
                let reasons = Dictionary(recorded.map { ($0.probe, $0.verdict.reason) }, uniquingKeysWith: { first, _ in first })
                #expect(reasons["passes"] == "ok")
                #expect(reasons["status"] == "status 503, expected 200")
                #expect(reasons["body"] == "the body does not contain \"healthy\"")
                #expect(reasons["json"] == #"status.indicator is "major", expected "none""#)
                #expect(reasons["timeout"]?.hasPrefix("timeout: ") == true)
                // The hanging probe's checks were bounded by the probe's timeout.
                #expect(recorded.filter { $0.probe == "timeout" }.allSatisfy { $0.latency >= .milliseconds(150) })
                #expect(server.requests.filter { $0.path == "/healthz" }.allSatisfy { $0.header("User-Agent") == "quake-probe" })
                // The service probe names its service in the Host header, as a mesh listener routes by it.
                #expect(server.requests.filter { $0.header("Host") == "frontend.mesh" }.map(\.path) == Array(repeating: "/healthz", count: 4))
            }
        }
    }

    @Test func theScorerReadsARealRunLikeAModelRun() async throws {
        try await LoopbackHTTPServer.with(Self.reply) { server in
            let base = "http://127.0.0.1:\(server.port)"
            let probes = Array(Self.probes(base: base).prefix(2))
            let runner = ProbeRunner(probes: probes, duration: .seconds(10), window: .seconds(5))
            _ = await runner.run(clock: InstantClock())
            var timeline = Timeline(window: .seconds(5), windowCount: 2)
            runner.recorder.fill(&timeline)

            let objective = Objective(comparison: .atLeast, threshold: 99, unit: .percentage)
            let plan = Self.plan(probes: probes, slos: [
                SLOSpec(name: "healthy", sli: .probeSuccess(probe: "passes"), objective: objective),
                SLOSpec(name: "down", sli: .probeSuccess(probe: "status"), objective: objective),
            ])
            let card = Scorer.score(plan: plan, timeline: timeline)
            #expect(card.slos.map(\.value) == [100, 0])
            #expect(card.slos.map(\.verdict) == [.pass, .fail])
        }
    }

    @Test func cancellingTheRunStopsTheChecksAndKeepsWhatWasCounted() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let probe = ProbeSpec(name: "slow", target: .url(server.url("/")), interval: .seconds(1), timeout: .seconds(30))
            let runner = ProbeRunner(probes: [probe], duration: .seconds(60), window: .seconds(10))
            let task = Task { await runner.run(clock: ContinuousClock()) }
            while server.requests.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            task.cancel()
            let series = await task.value
            // The one check under way was cancelled, so nothing was counted.
            #expect(series.isEmpty)
        }
    }

    /// A one-zone plan with `probes` and `slos`, as the model would run it.
    static func plan(probes: [ProbeSpec], slos: [SLOSpec]) -> Plan {
        let topology = Topology(regions: [Region(name: "r", clusters: [Cluster(name: "c", region: "r", zones: [
            Zone(name: "z", nodes: [ClusterNode(name: "n", locality: locality)]),
        ])])])
        return Plan(metadata: PlanMetadata(name: "probes"), topology: topology,
                    services: [ServiceSpec(name: "frontend", replicas: 1, serviceTime: .fixed(.milliseconds(1)))],
                    propagationPolicies: [], clusterTaintPolicies: [], destinationRules: [], virtualServices: [], controlPlane: ControlPlane(),
                    traffic: [], probes: probes, slos: slos, stopConditions: [],
                    safety: SafetyPolicy(), schedule: Schedule(duration: .seconds(10), faults: []), target: TargetSettings(), seed: 1, warnings: [])
    }
}
