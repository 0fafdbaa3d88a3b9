import Foundation
import QuakeObserve
import QuakeTestSupport
import Testing

/// The API client against a real HTTP server on 127.0.0.1 answering with Prometheus 2.42's JSON bodies.
@Suite struct PrometheusAPIClientTests {
    private static func json(_ body: String, status: Int = 200) -> LoopbackHTTPReply {
        .respond(LoopbackHTTPResponse(status: status, headers: [("Content-Type", "application/json")], text: body))
    }

    private func failure(_ body: () async throws -> PrometheusQueryResult) async -> ObserveError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? ObserveError
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func instantQueryReadsAVectorAndSendsTheQuery() async throws {
        let body = """
            {"status":"success","data":{"resultType":"vector","result":[\
            {"metric":{"__name__":"envoy_cluster_upstream_rq_total","envoy_cluster_name":"reviews","instance":"127.0.0.1:9901","job":"envoy"},"value":[1764073301.781,"63"]},\
            {"metric":{"envoy_cluster_name":"ratings"},"value":[1764073301.781,"NaN"]},\
            {"metric":{"envoy_cluster_name":"details"},"value":[1764073301.781,"+Inf"]}]}}
            """
        try await LoopbackHTTPServer.with({ _ in Self.json(body) }) { server in
            let client = PrometheusAPIClient(baseURL: server.url("/"))
            let result = try await client.query("sum by (envoy_cluster_name) (envoy_cluster_upstream_rq_total{job=\"envoy\"})",
                                                at: Date(timeIntervalSince1970: 1_764_073_301.5))
            guard case .vector(let series) = result.data else {
                Issue.record("expected a vector, got \(result.data)")
                return
            }
            #expect(series.count == 3)
            #expect(series[0].metric["envoy_cluster_name"] == "reviews")
            #expect(series[0].point == PrometheusPoint(time: 1_764_073_301.781, value: 63))
            #expect(series[1].point.value.isNaN)
            #expect(series[2].point.value == .infinity)
            #expect(result.warnings.isEmpty)

            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            let components = try #require(URLComponents(string: "http://x" + request.path))
            #expect(components.path == "/api/v1/query")
            let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(items["query"] == "sum by (envoy_cluster_name) (envoy_cluster_upstream_rq_total{job=\"envoy\"})")
            #expect(items["time"] == "1764073301.500")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func rangeQueryReadsAMatrixWithWarnings() async throws {
        let body = """
            {"status":"success","data":{"resultType":"matrix","result":[\
            {"metric":{"envoy_cluster_name":"reviews"},"values":[[1764073300,"0"],[1764073301,"1.5"],[1764073302,"-Inf"]]}]},\
            "warnings":["PromQL info: metric might not be a counter"]}
            """
        try await LoopbackHTTPServer.with({ _ in Self.json(body) }) { server in
            let client = PrometheusAPIClient(baseURL: "http://127.0.0.1:\(server.port)")
            let result = try await client.queryRange(
                "rate(envoy_cluster_upstream_rq_total[3s])",
                start: Date(timeIntervalSince1970: 1_764_073_300), end: Date(timeIntervalSince1970: 1_764_073_302), step: .milliseconds(1500))
            #expect(result.data == .matrix([PrometheusSeries(metric: ["envoy_cluster_name": "reviews"], points: [
                PrometheusPoint(time: 1_764_073_300, value: 0), PrometheusPoint(time: 1_764_073_301, value: 1.5),
                PrometheusPoint(time: 1_764_073_302, value: -.infinity),
            ])]))
            #expect(result.warnings == ["PromQL info: metric might not be a counter"])
            let path = try #require(server.requests.first?.path)
            #expect(path.hasPrefix("/api/v1/query_range?query=rate%28envoy_cluster_upstream_rq_total%5B3s%5D%29&"))
            #expect(path.hasSuffix("&start=1764073300.000&end=1764073302.000&step=1.500"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func scalarAndStringResults() async throws {
        try await LoopbackHTTPServer.with({ request in
            request.path.contains("scalar")
                ? Self.json(#"{"status":"success","data":{"resultType":"scalar","result":[1764073301.25,"42"]}}"#)
                : Self.json(#"{"status":"success","data":{"resultType":"string","result":[1764073301.25,"hello"]}}"#)
        }) { server in
            let client = PrometheusAPIClient(baseURL: server.url())
            let scalar = try await client.query("scalar(vector(42))")
            #expect(scalar.data == .scalar(PrometheusPoint(time: 1_764_073_301.25, value: 42)))
            let string = try await client.query("\"hello\"")
            #expect(string.data == .string(time: 1_764_073_301.25, value: "hello"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func errorBodiesBecomeErrorsWithTypeMessageAndURL() async throws {
        try await LoopbackHTTPServer.with({ request in
            request.path.contains("bad")
                ? Self.json(#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected <EOF>"}"#, status: 400)
                : Self.json(#"{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"}"#, status: 422)
        }) { server in
            let client = PrometheusAPIClient(baseURL: server.url())
            let bad = try #require(await failure { try await client.query("bad(") })
            #expect(bad.code == .invalidArgument)
            #expect(bad.message == "Prometheus answered HTTP 400, bad_data: invalid parameter \"query\": 1:4: parse error: unexpected <EOF>")
            #expect(bad.location == server.url("/api/v1/query?query=bad%28"))

            let execution = try #require(await failure { try await client.query("up") })
            #expect(execution.code == .server)
            #expect(execution.message.contains("execution: query processing would load too many samples"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func httpErrorWithoutJSONAndMalformedSuccess() async throws {
        try await LoopbackHTTPServer.with({ request in
            request.path.contains("down")
                ? .respond(LoopbackHTTPResponse(status: 503, text: "Service Unavailable\n"))
                : Self.json(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"fast"]}]}}"#)
        }) { server in
            let client = PrometheusAPIClient(baseURL: server.url())
            let down = try #require(await failure { try await client.query("down") })
            #expect(down.code == .server)
            #expect(down.message == "Prometheus answered HTTP 503: Service Unavailable")
            #expect(down.location.hasPrefix(server.url("/api/v1/query")))

            let malformed = try #require(await failure { try await client.query("up") })
            #expect(malformed.code == .malformed)
            #expect(malformed.message.contains("\"fast\" is not a number"), "\(malformed)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aHangingServerTimesOut() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let client = PrometheusAPIClient(baseURL: server.url(), timeout: .milliseconds(300))
            // The time limit catches a client that waits for ever; how long the answer took is not
            // asserted, as other tests may keep the cooperative pool busy meanwhile.
            let error = try #require(await failure { try await client.query("up") })
            #expect(error.code == .server)
            #expect(error.message.contains("did not answer within"), "\(error)")
            #expect(error.message.contains("timeout"))
            #expect(error.location == server.url("/api/v1/query?query=up"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func refusedConnectionsAndBadArguments() async throws {
        let port = try LoopbackHTTPServer.unusedPort()
        let client = PrometheusAPIClient(baseURL: "http://127.0.0.1:\(port)")
        let refused = try #require(await failure { try await client.query("up") })
        #expect(refused.code == .server && refused.message.contains("could not reach Prometheus (refused)"), "\(refused)")

        let empty = try #require(await failure { try await client.query("  ") })
        #expect(empty.code == .invalidArgument)
        let backwards = try #require(await failure {
            try await client.queryRange("up", start: Date(timeIntervalSince1970: 10), end: Date(timeIntervalSince1970: 5), step: .seconds(1))
        })
        #expect(backwards.code == .invalidArgument)
        let zeroStep = try #require(await failure {
            try await client.queryRange("up", start: Date(timeIntervalSince1970: 5), end: Date(timeIntervalSince1970: 10), step: .zero)
        })
        #expect(zeroStep.code == .invalidArgument)
    }

    /// A Prometheus behind a bearer token (as an OpenShift or managed one is): the token comes
    /// from the file for each request, so a rotated token is used at once, and it appears in no
    /// error; a missing file is named.
    @Test(.timeLimit(.minutes(1)))
    func theBearerTokenComesFromItsFileForEachRequest() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-prometheus-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("token")
        try "first-secret\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let ok = #"{"status":"success","data":{"resultType":"scalar","result":[1764073301.25,"1"]}}"#
        try await LoopbackHTTPServer.with({ request in
            ["Bearer first-secret", "Bearer second-secret"].contains(request.header("Authorization") ?? "")
                ? Self.json(ok) : Self.json(#"{"status":"error","errorType":"unauthorized","error":"bad token"}"#, status: 401)
        }) { server in
            let client = PrometheusAPIClient(baseURL: server.url(), tokenFile: tokenFile.path)
            _ = try await client.query("vector(1)")
            try "second-secret".write(to: tokenFile, atomically: true, encoding: .utf8)
            _ = try await client.query("vector(1)")
            #expect(server.requests.map { $0.header("Authorization") } == ["Bearer first-secret", "Bearer second-secret"])

            try "stale-secret".write(to: tokenFile, atomically: true, encoding: .utf8)
            let refused = await failure { try await client.query("vector(1)") }
            #expect(refused?.code == .server && refused?.message.contains("401") == true, "\(String(describing: refused))")
            #expect(refused.map { !"\($0)".contains("stale-secret") } == true, "the token is in no message")

            let missing = await failure { try await PrometheusAPIClient(baseURL: server.url(), tokenFile: dir.appendingPathComponent("gone").path).query("vector(1)") }
            #expect(missing?.code == .invalidArgument && missing?.message.contains("cannot read the Prometheus token file \(dir.path)/gone") == true, "\(String(describing: missing))")
            #expect(server.requests.count == 3, "nothing is sent without the token")
        }
    }
}
