import Foundation
import QuakeHTTP
import QuakeKube
import QuakeTestSupport
import Synchronization
import Testing

/// The API calls as the wire sees them (a loopback server plays the API server): headers,
/// bodies, Status errors mapped by code, a renewed exec credential after a 401, a server that
/// never answers.
@Suite(.timeLimit(.minutes(1))) struct KubeClientTests {
    static func status(_ code: Int, _ reason: String, _ message: String) -> LoopbackHTTPReply {
        .respond(LoopbackHTTPResponse(status: code, headers: [("Content-Type", "application/json")], text: #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#))
    }

    static func connection(_ server: LoopbackHTTPServer, _ authorization: KubeAuthorization? = .token("t0k3n")) -> KubeConnection {
        KubeConnection(context: "test", server: "http://127.0.0.1:\(server.port)", authorization: authorization, user: "ops")
    }

    @Test func sendsJSONWithItsCredentialsAndReadsTheAnswer() async throws {
        try await LoopbackHTTPServer.with({ request in
            .respond(LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], text: #"{"kind":"Node","metadata":{"name":"n1","resourceVersion":"42"},"spec":{"unschedulable":true}}"#))
        }) { server in
            let client = KubeClient(connection: Self.connection(server))
            let node = try await client.patch("/api/v1/nodes/n1", .json, [["op": "add", "path": "/spec/unschedulable", "value": true]])
            #expect(node[path: "metadata.resourceVersion"]?.string == "42" && node[path: "spec.unschedulable"]?.bool == true)
            let sent = try #require(server.requests.first)
            #expect(sent.method == "PATCH" && sent.path == "/api/v1/nodes/n1")
            #expect(sent.header("Authorization") == "Bearer t0k3n" && sent.header("Content-Type") == "application/json-patch+json" && sent.header("Accept") == "application/json")
            #expect(String(decoding: sent.body, as: UTF8.self) == #"[{"op":"add","path":"/spec/unschedulable","value":true}]"#)
            _ = try await client.get("/api/v1/nodes", query: [("labelSelector", "topology.kubernetes.io/zone=eu-1a")])
            #expect(server.requests.last?.path == "/api/v1/nodes?labelSelector=topology.kubernetes.io%2Fzone%3Deu-1a")
        }
    }

    @Test(arguments: [
        (401, "Unauthorized", KubeError.Code.unauthorized), (403, "Forbidden", .forbidden), (404, "NotFound", .notFound),
        (409, "Conflict", .conflict), (410, "Expired", .gone), (429, "TooManyRequests", .tooManyRequests), (415, "UnsupportedMediaType", .api),
    ])
    func anErrorCarriesTheServersStatus(code: Int, reason: String, expected: KubeError.Code) async throws {
        try await LoopbackHTTPServer.with({ _ in Self.status(code, reason, "nodes \\\"n1\\\" says no") }) { server in
            let error = await #expect(throws: KubeError.self) { try await KubeClient(connection: Self.connection(server)).get("/api/v1/nodes/n1") }
            #expect(error?.code == expected)
            #expect(error?.description == "GET /api/v1/nodes/n1: \(code) \(reason): nodes \"n1\" says no", "\(String(describing: error))")
            #expect(error?.description.contains("t0k3n") == false)
        }
    }

    @Test func aRefusedExecCredentialIsRenewedOnceAndARefusedTokenIsNot() async throws {
        let dir = try KubeconfigTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let counter = dir.appendingPathComponent("count").path
        let body = #"n=$(cat "$0" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0"; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"token-'$n'"}}'"#
        try await LoopbackHTTPServer.with({ request in
            request.header("Authorization") == "Bearer token-1" ? Self.status(401, "Unauthorized", "expired") : .respond(LoopbackHTTPResponse(text: "{}"))
        }) { server in
            let exec = ExecPlugin(apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", arguments: ["-c", body, counter], interactiveMode: "Never", user: "ops")
            let client = KubeClient(connection: Self.connection(server, .exec(exec)))
            _ = try await client.get("/version")
            #expect(server.requests.map { $0.header("Authorization") ?? "" } == ["Bearer token-1", "Bearer token-2"], "renewed after the 401, then kept")
            _ = try await client.get("/version")
            #expect(server.requests.last?.header("Authorization") == "Bearer token-2")
        }
        try await LoopbackHTTPServer.with({ _ in Self.status(401, "Unauthorized", "revoked") }) { server in
            let error = await #expect(throws: KubeError.self) { try await KubeClient(connection: Self.connection(server)).get("/version") }
            #expect(error?.code == .unauthorized && server.requests.count == 1)
        }
    }

    @Test func aTokenFileIsReadAtEveryCallSoARotatedTokenIsUsed() async throws {
        let dir = try KubeconfigTests.folder(["token": "first\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("token")
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "{}")) }) { server in
            let client = KubeClient(connection: Self.connection(server, .tokenFile(file.path)))
            _ = try await client.get("/version")
            try "second".write(to: file, atomically: true, encoding: .utf8)
            _ = try await client.get("/version")
            #expect(server.requests.map { $0.header("Authorization") ?? "" } == ["Bearer first", "Bearer second"])
            try FileManager.default.removeItem(at: file)
            let error = await #expect(throws: KubeError.self) { try await client.get("/version") }
            #expect(error?.code == .credentials)
        }
    }

    @Test func aServerThatHangsFailsTheCallAtItsTimeout() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let start = ContinuousClock.now
            let error = await #expect(throws: KubeError.self) { try await KubeClient(connection: Self.connection(server), timeout: .seconds(1)).get("/api/v1/nodes") }
            #expect(error?.code == .transport && error?.location == "GET /api/v1/nodes")
            #expect(start.duration(to: .now) < .seconds(20), "ended at its 1 s timeout (with room for a busy machine), not hanging")
        }
    }
}
