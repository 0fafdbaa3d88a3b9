import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve
import QuakeTestSupport
import Synchronization
import Testing

/// Issue #7 for the collectors: a Prometheus or a probed URL that never answers, stalls, trickles,
/// or answers 1 GiB or without end gives a clear error after the query's or probe's timeout, or at
/// the body cap, instead of holding the run. (Wall-clock upper bounds: see `HTTPClientRunawayTests`.)
@Suite("Prometheus client and probes against runaway servers", .timeLimit(.minutes(1)))
struct RunawayServerObserveTests {
    @Test("a Prometheus query fails with a clear error", arguments: RunawayServer.allCases)
    func aPrometheusQueryFailsWithAClearError(runaway: RunawayServer) async throws {
        try await LoopbackHTTPServer.with({ _ in runaway.reply }) { server in
            try await HTTPClient.withClient { http in
                let prometheus = PrometheusAPIClient(baseURL: server.url(), timeout: .seconds(1), http: http)
                let start = ContinuousClock.now
                let error = await #expect(throws: ObserveError.self) { try await prometheus.query("up") }
                #expect(error?.code == .server)
                #expect(error?.location.hasPrefix(server.url("/api/v1/query?query=up")) == true)
                if runaway.onlyATimeoutEndsIt {
                    #expect(error?.message == "Prometheus did not answer within 1.0 seconds (timeout)")
                    #expect(ContinuousClock.now - start >= .milliseconds(950))
                } else {
                    #expect(error?.message == "Prometheus's answer is longer than the client's limit of \(HTTPRequest.defaultMaxBodyBytes) bytes; it was not read further",
                            "\(String(describing: error))")
                }
            }
        }
    }

    @Test("a probe check fails with the reason, after the probe's timeout or at its body cap", arguments: RunawayServer.allCases)
    func aProbeCheckFailsWithTheReason(runaway: RunawayServer) async throws {
        try await LoopbackHTTPServer.with({ _ in runaway.reply }) { server in
            let probe = ProbeSpec(name: "runaway", target: .url(server.url()), interval: .seconds(1), timeout: .seconds(1))
            let runner = ProbeRunner(probes: [probe], duration: .seconds(2), window: .seconds(2))
            let checks = Mutex<[ProbeCheck]>([])
            _ = await runner.run(clock: InstantClock()) { check in checks.withLock { $0.append(check) } }
            let recorded = checks.withLock { $0 }
            #expect(recorded.count == 1)
            for check in recorded {
                #expect(!check.verdict.passed)
                if runaway.onlyATimeoutEndsIt {
                    #expect(check.verdict.reason.hasPrefix("timeout: "), "\(check.verdict)")
                    #expect(check.latency >= .milliseconds(950))
                } else {
                    #expect(check.verdict.reason == "tooLarge: the response body is longer than maxBodyBytes (\(ProbeRunner.defaultMaxBodyBytes) bytes)")
                }
            }
        }
    }
}
