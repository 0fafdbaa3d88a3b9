import Foundation
import QuakeCore
import QuakeHTTP
import QuakeLab
import QuakeObserve
import QuakeTestSupport
import Testing

/// Pods served in this process on 127.0.0.1, driven through QuakeHTTP (libcurl) as the lab drives
/// them, and through a bare socket where a connection count or the shape of a write matters.
@Suite(.timeLimit(.minutes(3))) struct PodServerTests {
    private let client = HTTPClient()

    @Test func answersAfterItsServiceTime() async throws {
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", serviceTime: .fixed(.milliseconds(50)))
        try await PodServer.withServer(configuration) { pod in
            for path in ["/", "/orders/42", "/anything?at=all"] {
                let start = ContinuousClock.now
                let response = try await client.get(pod.url(path))
                let elapsed = ContinuousClock.now - start
                #expect(response.status == 200)
                #expect(elapsed >= .milliseconds(50))
                #expect(response.headers["x-quake-pod"] == "svc1-0")
                #expect(String(decoding: response.body, as: UTF8.self) == "svc1-0\n")
            }
            // The pod's own histogram saw no request faster than its service time.
            let samples = try await metrics(of: pod)
            let faster = samples.first { $0.name == "quake_pod_request_duration_seconds_bucket" && $0.label("le") == "0.025" }
            #expect(faster?.value == 0)
            #expect(samples.first { $0.name == "quake_pod_request_duration_seconds_count" }?.value == 3)
        }
    }

    @Test func failsWithItsErrorRate() async throws {
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", errorRate: 0.3, seed: 7)
        let total = 2000
        try await PodServer.withServer(configuration) { pod in
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var out: [Int] = []
                        for i in stride(from: worker, to: total, by: 8) { out.append(try await client.get(pod.url("/r\(i)")).status) }
                        return out
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let failed = statuses.filter { $0 == 500 }.count
            #expect(statuses.count == total)
            #expect(failed + statuses.filter { $0 == 200 }.count == total)
            // Binomial(2000, 0.3): mean 600, standard deviation 20.5; five of them either side.
            #expect(abs(failed - 600) <= 103, "\(failed) of \(total) failed")
            let samples = try await metrics(of: pod)
            let counted = samples.first { $0.name == "quake_pod_requests_total" && $0.label("code") == "500" }?.value
            #expect(counted == Double(failed))
        }
    }

    @Test func keepsOneConnectionForManyRequestsAndWritesEachResponseAtOnce() async throws {
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", serviceTime: .fixed(.milliseconds(1)))
        try await PodServer.withServer(configuration) { pod in
            let responses = try await PodTestClient.get(port: pod.port, Array(repeating: "/item", count: 50) + ["/metrics"])
            #expect(responses.count == 51)
            #expect(responses.dropLast().allSatisfy { $0.status == 200 && $0.body == "svc1-0\n" })
            // Headers and body in one buffer: the first read after each request got all of it.
            #expect(responses.allSatisfy { $0.reads == 1 }, "reads per response: \(responses.map(\.reads))")
            let page = try #require(responses.last)
            let samples = try PrometheusTextParser.samples(in: Data(page.body.utf8))
            #expect(samples.first { $0.name == "quake_pod_connections_total" }?.value == 1)
            #expect(samples.first { $0.name == "quake_pod_requests_total" && $0.label("code") == "200" }?.value == 50)
        }
    }

    @Test func healthzAndControlPaths() async throws {
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0")) { pod in
            let healthy = try await client.get(pod.url("/healthz"))
            #expect(healthy.status == 200)
            #expect(String(decoding: healthy.body, as: UTF8.self) == "ok\n")

            #expect(try await control(pod, "/control/health?fail=1").status == 200)
            #expect(try await client.get(pod.url("/healthz")).status == 503)
            #expect(try await client.get(pod.url("/")).status == 200, "a failing /healthz does not fail service requests")
            #expect(try await control(pod, "/control/health?fail=0").status == 200)
            #expect(try await client.get(pod.url("/healthz")).status == 200)

            #expect(try await control(pod, "/control/errors?rate=1").status == 200)
            #expect(try await client.get(pod.url("/")).status == 500)
            #expect(try await control(pod, "/control/errors?rate=0%25").status == 200)
            #expect(try await client.get(pod.url("/")).status == 200)

            #expect(try await control(pod, "/control/delay?ms=150").status == 200)
            let start = ContinuousClock.now
            #expect(try await client.get(pod.url("/")).status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(150))

            #expect(try await control(pod, "/control/health?fail=1").status == 200)
            #expect(try await control(pod, "/control/reset").status == 200)
            #expect(try await client.get(pod.url("/healthz")).status == 200)

            #expect(try await client.get(pod.url("/control/errors?rate=1")).status == 405)
            #expect(try await control(pod, "/control/errors?rate=2").status == 400)
            #expect(try await control(pod, "/control/delay?ms=soon").status == 400)
            #expect(try await control(pod, "/control/nothing").status == 404)
            // Health checks, scrapes and control calls are not counted as service requests.
            let samples = try await metrics(of: pod)
            let served = samples.filter { $0.name == "quake_pod_requests_total" }.reduce(0) { $0 + $1.value }
            #expect(served == 4)
        }
    }

    @Test func metricsParseAsPrometheusText() async throws {
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", serviceTime: .logNormal(p50: .milliseconds(2), p99: .milliseconds(20)))
        try await PodServer.withServer(configuration) { pod in
            for _ in 0..<20 { _ = try await client.get(pod.url("/")) }
            let response = try await client.get(pod.url("/metrics"))
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let parser = try PrometheusTextParser.parse(response.body, mode: .strict) { _ in }
            let types = Dictionary(uniqueKeysWithValues: parser.families.map { ($0.name, $0.type) })
            #expect(types["quake_pod_requests_total"] == .counter)
            #expect(types["quake_pod_request_duration_seconds"] == .histogram)
            #expect(types["quake_pod_requests_in_flight"] == .gauge)
            #expect(types["quake_pod_connections_total"] == .counter)
            let samples = try PrometheusTextParser.samples(in: response.body)
            #expect(samples.allSatisfy { $0.label("service") == "svc1" && $0.label("pod") == "svc1-0" })
            #expect(samples.first { $0.name == "quake_pod_requests_total" && $0.label("code") == "200" }?.value == 20)
            #expect(samples.first { $0.name == "quake_pod_request_duration_seconds_bucket" && $0.label("le") == "+Inf" }?.value == 20)
            #expect(samples.first { $0.name == "quake_pod_requests_in_flight" }?.value == 0)
        }
    }

    @Test func callsItsDownstreamServicesWithTheirHostHeader() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "svc3\n")) }) { envoy in
            try await PodServer.withServer(PodConfiguration(service: "svc2", pod: "svc2-0")) { svc2 in
                let calls = [
                    PodConfiguration.Downstream(service: "svc2", url: svc2.url("/")),
                    PodConfiguration.Downstream(service: "svc3", url: envoy.url("/")),
                ]
                try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0", calls: calls)) { svc1 in
                    for _ in 0..<5 { #expect(try await client.get(svc1.url("/")).status == 200) }
                    let received = try await metrics(of: svc2)
                    #expect(received.first { $0.name == "quake_pod_requests_total" && $0.label("code") == "200" }?.value == 5)
                    // svc1's calls reuse a kept-alive connection (one more is this test's scrape).
                    #expect((received.first { $0.name == "quake_pod_connections_total" }?.value ?? 99) <= 2)
                    #expect(envoy.requests.count == 5)
                    #expect(envoy.requests.allSatisfy { $0.header("Host") == "svc3" })
                    let made = try await metrics(of: svc1)
                    let calls = made.filter { $0.name == "quake_pod_downstream_requests_total" }
                    #expect(calls.first { $0.label("downstream") == "svc2" && $0.label("code") == "200" }?.value == 5)
                    #expect(calls.first { $0.label("downstream") == "svc3" && $0.label("code") == "200" }?.value == 5)
                }
            }
        }
    }

    @Test func aFailedDownstreamCallFailsTheRequestWithTheErrorStatusAndStopsTheCalls() async throws {
        let refused = try LoopbackHTTPServer.unusedPort()
        try await PodServer.withServer(PodConfiguration(service: "svc2", pod: "svc2-0", errorRate: 1)) { failing in
            try await PodServer.withServer(PodConfiguration(service: "svc3", pod: "svc3-0")) { after in
                let calls = [
                    PodConfiguration.Downstream(service: "svc2", url: failing.url("/")),
                    PodConfiguration.Downstream(service: "svc3", url: after.url("/")),
                ]
                let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("quake-pod-\(UUID().uuidString).log").path
                defer { try? FileManager.default.removeItem(atPath: logFile) }
                try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0", calls: calls, logFile: logFile)) { svc1 in
                    let response = try await client.get(svc1.url("/"))
                    #expect(response.status == 500)
                    #expect(String(decoding: response.body, as: UTF8.self) == "svc1-0: svc2 answered 500\n")
                    let later = try await metrics(of: after)
                    #expect(later.filter { $0.name == "quake_pod_requests_total" }.isEmpty, "svc3 is not called after svc2 failed")
                }
                #expect(try String(contentsOfFile: logFile, encoding: .utf8).contains("pod svc1-0: call to svc2 failed: answered 500"))
            }
        }
        let unreachable = [PodConfiguration.Downstream(service: "svc2", url: "http://127.0.0.1:\(refused)/")]
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0", errorStatus: 503, calls: unreachable)) { svc1 in
            let response = try await client.get(svc1.url("/"))
            #expect(response.status == 503)
            #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("svc1-0: svc2 no response"))
            let samples = try await metrics(of: svc1)
            #expect(samples.first { $0.name == "quake_pod_downstream_requests_total" && $0.label("code") == "0" }?.value == 1)
        }
    }

    @Test func shutsDownGracefully() async throws {
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", serviceTime: .fixed(.milliseconds(500)))
        let (status, port) = try await withThrowingTaskGroup(of: Int.self) { group in
            let port = try await PodServer.withServer(configuration) { pod in
                let url = pod.url("/slow")
                group.addTask { try await client.get(url).status }
                // Wait until the pod holds the request, then leave the scope: the shutdown begins
                // while it is in flight.
                let metrics = pod.url("/metrics")
                for _ in 0..<400 {
                    let text = String(decoding: try await client.get(metrics).body, as: UTF8.self)
                    if text.split(separator: "\n").contains(where: { $0.hasPrefix("quake_pod_requests_in_flight") && $0.hasSuffix(" 1") }) { break }
                    try await Task.sleep(for: .milliseconds(25))
                }
                return pod.port
            }
            return (try await group.next(), port)
        }
        #expect(status == 200, "the request in flight was answered")
        await #expect(throws: HTTPError.self) { try await client.get("http://127.0.0.1:\(port)/") }
    }

    @Test func rejectsAPortInUseAndABadConfiguration() async throws {
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0")) { pod in
            let error = await #expect(throws: LabError.self) {
                try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-1", port: pod.port)) { _ in }
            }
            #expect(error?.code == .portInUse)
        }
        let bad = await #expect(throws: LabError.self) {
            try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc 1", errorRate: 0)) { _ in }
        }
        #expect(bad?.code == .config)
    }

    @Test func parsesTheSpellingsOfItsCommandLine() throws {
        #expect(try PodConfiguration.parseServiceTime("50ms") == .fixed(.milliseconds(50)))
        #expect(try PodConfiguration.parseServiceTime("p50=4ms,p99=30ms") == .logNormal(p50: .milliseconds(4), p99: .milliseconds(30)))
        #expect(throws: LabError.self) { try PodConfiguration.parseServiceTime("p50=4ms") }
        #expect(try PodConfiguration.parseErrorRate("30%") == 0.3)
        #expect(try PodConfiguration.parseErrorRate("0.25") == 0.25)
        #expect(throws: LabError.self) { try PodConfiguration.parseErrorRate("1.5") }
        let call = try PodConfiguration.Downstream(argument: "svc2=http://127.0.0.1:15001/")
        #expect(call == PodConfiguration.Downstream(service: "svc2", url: "http://127.0.0.1:15001/"))
        #expect(throws: LabError.self) { try PodConfiguration.Downstream(argument: "svc2") }

        let configuration = PodConfiguration(
            service: "svc1", pod: "svc1-0", port: 18080, serviceTime: .logNormal(p50: .milliseconds(4), p99: .milliseconds(30)),
            errorRate: 0.05, calls: [call], seed: 42, logFile: "/tmp/pod.log"
        )
        let arguments = configuration.arguments
        func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).map { arguments[$0 + 1] } }
        #expect(try value("--service-time").map(PodConfiguration.parseServiceTime) == configuration.serviceTime)
        #expect(try value("--error-rate").map(PodConfiguration.parseErrorRate) == 0.05)
        #expect(value("--call") == "svc2=http://127.0.0.1:15001/")
        #expect(value("--port") == "18080")
        #expect(value("--seed") == "42")
        #expect(value("--log-file") == "/tmp/pod.log")
    }

    private func metrics(of pod: PodServer) async throws -> [PrometheusSample] {
        let response = try await client.get(pod.url("/metrics"))
        return try PrometheusTextParser.samples(in: response.body)
    }

    private func control(_ pod: PodServer, _ path: String) async throws -> HTTPResponse {
        try await client.post(pod.url(path), body: Data())
    }
}
