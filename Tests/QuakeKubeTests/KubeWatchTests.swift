import Foundation
import QuakeKube
import QuakeTestSupport
import Synchronization
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

/// The informer: a list, a watch from its version, a fresh list after a 410 reported as the
/// changes since, and nothing lost or repeated.
@Suite(.timeLimit(.minutes(1))) struct KubeInformerTests {
    static func item(_ name: String, _ version: Int) -> String { #"{"metadata":{"name":"\#(name)","resourceVersion":"\#(version)"}}"# }

    @Test func listsWatchesAndListsAgainAfterA410() async throws {
        let lists = Mutex(0)
        try await LoopbackHTTPServer.with({ request in
            switch request.path {
            case "/api/v1/nodes":
                let n = lists.withLock { $0 += 1; return $0 }
                let body = n == 1
                    ? #"{"metadata":{"resourceVersion":"10"},"items":[\#(Self.item("a", 1)),\#(Self.item("b", 1))]}"#
                    : #"{"metadata":{"resourceVersion":"13"},"items":[\#(Self.item("a", 11)),\#(Self.item("c", 12))]}"#
                return .respond(LoopbackHTTPResponse(text: body))
            case "/api/v1/nodes?watch=true&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=5":
                return KubeWatchTests.events([#"{"type":"MODIFIED","object":\#(Self.item("a", 11))}"#, #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#])
            default:
                return .hang
            }
        }) { server in
            let changes = Mutex<[String]>([])
            let informer = KubeInformer(client: KubeClient(connection: KubeClientTests.connection(server)), path: "/api/v1/nodes", watchSeconds: 5)
            let task = Task { try await informer.run { change in changes.withLock { $0.append("\(change.type) \(change.object[path: "metadata.name"]?.string ?? "") \(change.object[path: "metadata.resourceVersion"]?.string ?? "")") } } }
            let resumed = "/api/v1/nodes?watch=true&resourceVersion=13&allowWatchBookmarks=true&timeoutSeconds=5"
            while changes.withLock({ $0.count }) < 5 || !server.requests.contains(where: { $0.path == resumed }) { try await Task.sleep(for: .milliseconds(10)) }
            task.cancel()
            _ = await task.result
            // b went and c came while the watch was gone; a's change is not repeated by the relist;
            // the new watch starts at the new list's version (the wait above).
            #expect(Set(changes.withLock { $0 }) == ["ADDED a 1", "ADDED b 1", "MODIFIED a 11", "ADDED c 12", "DELETED b 1"])
            #expect(changes.withLock { $0.count } == 5)
        }
    }
}
