import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeObserve
import QuakeTestSupport
import Testing

/// The reader of Prometheus HTTP API answers fuzzed (issue #7): 100,000 seeded answers (range and
/// instant queries, scalars, strings, error answers, each edited, mutated byte by byte or
/// generated) under a success or an error status. Each is read, and what the lab and the
/// kubernetes target do with a range answer (the Envoy stats and Istio Timelines) is done with
/// it, or it is refused with an `ObserveError` that names the URL; none takes a second.
@Suite struct PrometheusAPIFuzzTests {
    static let url = "http://127.0.0.1:9090/api/v1/query_range?query=envoy"
    static let origin = Date(timeIntervalSince1970: 1_795_625_728.913)

    /// The recorded lab answer cut to its first series and scrapes (the whole one is 13 kB), and
    /// answers of the other kinds.
    static func seeds() throws -> [String] {
        let recorded = try JSONSerialization.jsonObject(with: PrometheusFixtures.data(PrometheusFixtures.labNodeCrash)) as? [String: Any]
        let data = try #require(recorded?["data"] as? [String: Any])
        let series = try #require(data["result"] as? [[String: Any]]).prefix(6).map { series in
            series.merging(["values": (series["values"] as? [Any] ?? []).prefix(6).map { $0 }]) { $1 }
        }
        let cut = try JSONSerialization.data(withJSONObject: ["status": "success", "data": ["resultType": "matrix", "result": series]], options: [.sortedKeys])
        return [
            String(decoding: cut, as: UTF8.self),
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"istio_requests_total","destination_service_name":"svc2","destination_cluster":"c1","source_cluster":"c1","response_code":"503","response_flags":"URX,UF","reporter":"source"},"values":[[1795625728.913,"0"],[1795625729.913,"12"],[1795625730.913,"NaN"],[1795625731.913,"+Inf"],[1795625732.913,"30"]]}]},"warnings":["partial"]}"#,
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"envoy"},"value":[1795625730.5,"1"]},{"metric":{},"value":[1795625730.5,"-Inf"]}]}}"#,
            #"{"status":"success","data":{"resultType":"scalar","result":[1795625730.5,"0.25"]}}"#,
            #"{"status":"success","data":{"resultType":"string","result":[1795625730.5,"text"]}}"#,
            #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error"}"#,
            #"{"status":"error","errorType":"execution","error":"query timed out"}"#,
        ]
    }

    @Test(.timeLimit(.minutes(5)))
    func everyAnswerIsReadOrRefusedWithTheURL() async throws {
        let fuzzer = JSONFuzzer(seeds: try Self.seeds(), keys: ["status", "data", "resultType", "result", "metric", "value", "values", "errorType", "error",
                                                                "warnings", "__name__", "envoy", "envoy_cluster_name", "response_code", "reporter"])
        let timings = HTTPTimings(dns: .zero, connect: .zero, tls: .zero, firstByte: .zero, total: .zero)
        let proxies = [EnvoyStatsTimeline.Proxy(label: "envoy-c1-a", locality: Locality(region: "r1", cluster: "c1", zone: "a"))]
        let istio = PrometheusTimeline(start: Self.origin, window: .seconds(1), windowCount: 30)
        let outcome = await fuzzer.run(100_000, seed: 0x5EED_A91) { input, number in
            let status = [200, 200, 200, 200, 200, 200, 400, 422, 503][number % 9]
            do {
                let answer = try PrometheusAPIClient.decode(HTTPResponse(status: status, headers: [:], body: Data(input), timings: timings), url: Self.url)
                guard case .matrix = answer.data else { return true }
                var envoys = EnvoyStatsTimeline(proxies: proxies, origin: Self.origin, window: .seconds(1), windowCount: 30)
                try envoys.add(answer)
                _ = (envoys.metrics, envoys.events)
                _ = try istio.timeline(requests: answer, durations: answer, readyReplicas: answer)
                return true
            } catch let error as ObserveError {
                #expect(!error.message.isEmpty && error.location == Self.url, "input \(number): \(error)")
                return false
            } catch {
                Issue.record("input \(number): \(error) is not an ObserveError")
                return false
            }
        }
        #expect(outcome.read > 5_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
