import Foundation
import QuakeHTTP
import QuakeObserve
import QuakeTestSupport
import Testing

/// End to end against a real Prometheus (Debian's 2.42), when one is installed: it scrapes the
/// real Envoy page from a loopback server and the client queries it. Skipped when `prometheus`
/// is not on the PATH.
@Suite(.enabled(if: prometheusBinary != nil, "needs `prometheus` (apt-get install prometheus)"))
struct PrometheusServerTests {

    @Test(.timeLimit(.minutes(1)))
    func queriesWhatPrometheusScrapedFromAnEnvoyPage() async throws {
        let page = try PrometheusFixtures.data(PrometheusFixtures.envoyPage)
        let reply = LoopbackHTTPReply.respond(LoopbackHTTPResponse(
            headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: page))
        try await LoopbackHTTPServer.with({ _ in reply }) { envoy in
            try await Self.withPrometheus(scraping: envoy.port) { client in
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

    /// Runs Prometheus on 127.0.0.1 with a temporary config and storage scraping `port` every second,
    /// waits until it is ready, runs `body`, then stops it (SIGTERM, then SIGKILL) and removes its files.
    private static func withPrometheus(scraping port: UInt16, _ body: (PrometheusAPIClient) async throws -> Void) async throws {
        guard let binary = prometheusBinary else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
            - job_name: envoy
              metrics_path: /stats/prometheus
              static_configs: [{targets: ["127.0.0.1:\(port)"]}]
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("prometheus.yml"))
        let listen = try LoopbackHTTPServer.unusedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(listen)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("prometheus.log").creatingEmpty())
        try process.run()
        do {
            let base = "http://127.0.0.1:\(listen)"
            var ready = false
            for _ in 0..<100 where !ready {
                ready = (try? await HTTPClient().get(base + "/-/ready"))?.status == 200
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(ready, "Prometheus did not become ready")
            try await body(PrometheusAPIClient(baseURL: base, timeout: .seconds(5)))
        } catch {
            stop(process)
            throw error
        }
        stop(process)
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// The Prometheus server binary, if one is installed.
private let prometheusBinary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

private extension URL {
    /// Creates an empty file here and returns its URL.
    func creatingEmpty() throws -> URL {
        try Data().write(to: self)
        return self
    }
}
