import Foundation
import QuakeKube
import QuakeTestSupport
import Testing

/// Watch streams as the API server sends them: JSON lines of events with bookmarks, an ERROR
/// event carrying a 410, a refused watch, and a line that is no event.
@Suite(.timeLimit(.minutes(1))) struct KubeWatchTests {
    static func events(_ lines: [String], status: Int = 200) -> LoopbackHTTPReply {
        .respond(LoopbackHTTPResponse(status: status, headers: [("Content-Type", "application/json")], text: lines.map { $0 + "\n" }.joined()))
    }

    static func collect(_ server: LoopbackHTTPServer) async throws -> [KubeWatchEvent] {
        var seen: [KubeWatchEvent] = []
        for try await event in KubeClient(connection: KubeClientTests.connection(server)).watch("/api/v1/nodes", resourceVersion: "10", timeoutSeconds: 5) { seen.append(event) }
        return seen
    }

    @Test func readsEventsAndBookmarksAndSendsTheWatchParameters() async throws {
        try await LoopbackHTTPServer.with({ _ in Self.events([
            #"{"type":"ADDED","object":{"kind":"Node","metadata":{"name":"n1","resourceVersion":"11"}}}"#,
            #"{"type":"BOOKMARK","object":{"kind":"Node","metadata":{"resourceVersion":"15"}}}"#,
            "",
            #"{"type":"MODIFIED","object":{"kind":"Node","metadata":{"name":"n1","resourceVersion":"16"},"spec":{"unschedulable":true}}}"#,
        ]) }) { server in
            let seen = try await Self.collect(server)
            #expect(seen.map(\.type) == ["ADDED", "BOOKMARK", "MODIFIED"])
            #expect(seen.map(\.resourceVersion) == ["11", "15", "16"])
            #expect(server.requests.first?.path == "/api/v1/nodes?watch=true&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=5")
        }
    }

    @Test func aTooOldVersionIsGoneSoTheCallerListsAgain() async throws {
        try await LoopbackHTTPServer.with({ _ in Self.events([
            #"{"type":"ADDED","object":{"metadata":{"resourceVersion":"11"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (4000)","reason":"Expired","code":410}}"#,
        ]) }) { server in
            let error = await #expect(throws: KubeError.self) { _ = try await Self.collect(server) }
            #expect(error?.code == .gone && error?.message.contains("too old resource version") == true, "\(String(describing: error))")
        }
        try await LoopbackHTTPServer.with({ _ in Self.events([#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"watch refused","reason":"Expired","code":410}"#], status: 410) }) { server in
            let error = await #expect(throws: KubeError.self) { _ = try await Self.collect(server) }
            #expect(error?.code == .gone && error?.message.contains("watch refused") == true, "\(String(describing: error))")
        }
    }

    @Test func aLineThatIsNoEventStopsTheWatchNamingIt() async throws {
        try await LoopbackHTTPServer.with({ _ in Self.events(["<html>proxy error</html>"]) }) { server in
            let error = await #expect(throws: KubeError.self) { _ = try await Self.collect(server) }
            #expect(error?.code == .api && error?.message.contains("<html>proxy error</html>") == true && error?.location == "GET /api/v1/nodes (watch)")
        }
    }
}
