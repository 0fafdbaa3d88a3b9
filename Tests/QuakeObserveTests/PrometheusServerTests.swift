import Foundation
import QuakeHTTP
import QuakeObserve
import QuakeTestSupport
import Testing

/// End to end against a real Prometheus (Debian's 2.42), when one is installed: it scrapes the
/// real Envoy page from a loopback server and the client queries it. Skipped when `prometheus`
/// is not on the PATH.
@Suite(.enabled(if: PrometheusProcess.binary != nil, "needs `prometheus` (apt-get install prometheus)"))
struct PrometheusServerTests {

    @Test(.timeLimit(.minutes(1)))
    func queriesWhatPrometheusScrapedFromAnEnvoyPage() async throws {
        let page = try PrometheusFixtures.data(PrometheusFixtures.envoyPage)
        let reply = LoopbackHTTPReply.respond(LoopbackHTTPResponse(
            headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: page))
        try await LoopbackHTTPServer.with({ _ in reply }) { envoy in
            try await PrometheusProcess.with(scraping: envoy.port, metricsPath: "/stats/prometheus", job: "envoy") { base in
                let client = PrometheusAPIClient(baseURL: base, timeout: .seconds(5))
                let total = try await Self.poll(client, "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"reviews\"}")
                #expect(total.map(\.point.value) == [96])
                #expect(total.first?.metric["job"] == "envoy")

                let now = Date()
                let range = try await client.queryRange(
                    "sum by (envoy_cluster_name) (envoy_cluster_upstream_rq_pending_overflow)",
                    start: now.addingTimeInterval(-5), end: now, step: .seconds(1))
                guard case .matrix(let series) = range.data else {
                    Issue.record("expected a matrix, got \(range.data)")
                    return
                }
                let details = try #require(series.first { $0.metric["envoy_cluster_name"] == "details" })
                #expect(!details.points.isEmpty && details.points.allSatisfy { $0.value == 10 })

                do {
                    _ = try await client.query("sum(")
                    Issue.record("a parse error was not reported")
                } catch let error as ObserveError {
                    #expect(error.code == .invalidArgument)
                    #expect(error.message.contains("bad_data"), "\(error)")
                }
            }
        }
    }

    /// Polls an instant query until it returns a non-empty vector (the first scrape takes a moment).
    private static func poll(_ client: PrometheusAPIClient, _ query: String) async throws -> [PrometheusSeriesPoint] {
        for _ in 0..<100 {
            if case .vector(let series) = try await client.query(query).data, !series.isEmpty { return series }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ObserveError(code: .server, message: "Prometheus returned nothing for \(query) within 20 s")
    }
}
