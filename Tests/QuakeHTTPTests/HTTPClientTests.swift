import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient against a loopback server", .timeLimit(.minutes(1)))
struct HTTPClientTests {
    let client = HTTPClient()

    @Test("GET returns the server's status, headers in order, body and real timings")
    func getReturnsResponse() async throws {
        let reply = LoopbackHTTPResponse(
            status: 203,
            headers: [("X-First", "1"), ("Set-Cookie", "a=1"), ("X-Second", "2"), ("Set-Cookie", "b=2")],
            text: "hello, quake"
        )
        try await LoopbackHTTPServer.with({ _ in .respond(reply) }) { server in
            let response = try await client.get(server.url("/hello?x=1"), headers: ["Accept": "text/plain"])

            #expect(response.status == 203)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello, quake")
            #expect(response.headers.map(\.name) == ["X-First", "Set-Cookie", "X-Second", "Set-Cookie", "Content-Length"])
            #expect(response.headers["x-second"] == "2")
            #expect(response.headers["CONTENT-LENGTH"] == "12")
            #expect(response.headers.values(for: "set-cookie") == ["a=1", "b=2"])

            let timings = response.timings
            #expect(timings.total > .zero)
            #expect(timings.dns <= timings.connect)
            #expect(timings.connect <= timings.firstByte)
            #expect(timings.firstByte <= timings.total)
            #expect(timings.tls == .zero)

            let seen = try #require(server.requests.first)
            #expect(seen.method == "GET")
            #expect(seen.path == "/hello?x=1")
            #expect(seen.header("accept") == "text/plain")
        }
    }

    @Test("time to first byte includes the server's delay")
    func timingsMeasureServerDelay() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "late"), after: .milliseconds(300)) }) { server in
            let response = try await client.get(server.url())

            #expect(response.timings.firstByte >= .milliseconds(300))
            #expect(response.timings.total >= response.timings.firstByte)
            #expect(response.timings.connect < .milliseconds(300))
        }
    }

    @Test("POST sends the body and headers the server sees, and nothing libcurl would add on its own")
    func postSendsBodyAndHeaders() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(status: 201, text: "made")) }) { server in
            let body = Data("{\"name\":\"quake\"}".utf8)
            let response = try await client.post(
                server.url("/items"),
                body: body,
                headers: ["Content-Type": "application/json", "X-Trace": "abc", "X-Empty": ""]
            )

            #expect(response.status == 201)
            let seen = try #require(server.requests.first)
            #expect(seen.method == "POST")
            #expect(seen.path == "/items")
            #expect(seen.body == body)
            #expect(seen.header("Content-Type") == "application/json")
            #expect(seen.header("Content-Length") == "\(body.count)")
            #expect(seen.header("X-Trace") == "abc")
            #expect(seen.header("X-Empty") == "")
            #expect(seen.header("Expect") == nil)
        }
    }

    @Test("a body without a Content-Type is sent without libcurl's form encoding type")
    func postWithoutContentType() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            _ = try await client.post(server.url(), body: Data([0, 1, 2, 255]))

            let seen = try #require(server.requests.first)
            #expect(seen.body == Data([0, 1, 2, 255]))
            #expect(seen.header("Content-Type") == nil)
        }
    }

    @Test("other methods reach the server with their body", arguments: [HTTPMethod.put, .patch, .delete])
    func methodsWithBody(method: HTTPMethod) async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(status: 204)) }) { server in
            let request = HTTPRequest(method: method, url: server.url("/items/1"), body: Data("payload".utf8))
            let response = try await client.send(request)

            #expect(response.status == 204)
            let seen = try #require(server.requests.first)
            #expect(seen.method == method.rawValue)
            #expect(String(decoding: seen.body, as: UTF8.self) == "payload")
        }
    }

    @Test("PUT without a body sends Content-Length 0; DELETE without a body sends none")
    func methodsWithoutBody() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            _ = try await client.send(HTTPRequest(method: .put, url: server.url()))
            _ = try await client.send(HTTPRequest(method: .delete, url: server.url()))

            let seen = server.requests
            #expect(seen.map(\.method) == ["PUT", "DELETE"])
            #expect(seen.map { $0.header("Content-Length") } == ["0", nil])
        }
    }

    @Test("HEAD returns the headers and an empty body")
    func headReturnsNoBody() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "hello")) }) { server in
            let response = try await client.send(HTTPRequest(method: .head, url: server.url()))

            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.headers["Content-Length"] == "5")
            #expect(server.requests.first?.method == "HEAD")
        }
    }

    @Test("redirects are returned, not followed")
    func redirectsAreNotFollowed() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(status: 302, headers: [("Location", "/elsewhere")])) }) { server in
            let response = try await client.get(server.url("/start"))

            #expect(response.status == 302)
            #expect(response.headers["Location"] == "/elsewhere")
            #expect(server.requests.map(\.path) == ["/start"])
        }
    }

    @Test("concurrent requests wait for the server side by side, not one after another")
    func concurrentRequests() async throws {
        // Each request is answered 2 s after it arrives. Side by side, all eight are in flight before
        // the first answer; one after another, the n-th would arrive only after n − 1 answers.
        let arrivals = Arrivals()
        try await LoopbackHTTPServer.with({ request in
            arrivals.record()
            return .respond(LoopbackHTTPResponse(text: request.path), after: .seconds(2))
        }) { server in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask { String(decoding: try await client.get(server.url("/\(index)")).body, as: UTF8.self) }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }

            #expect(bodies == Set((0..<8).map { "/\($0)" }))
            // Timed between arrivals at the server, so a test runner busy with other tests cannot
            // make the client look serial by starting its tasks late.
            #expect(arrivals.spread < .seconds(2), "the eight requests reached the server \(arrivals.spread) apart")
        }
    }
}

/// Arrival instants at the test server, from its connection threads.
private final class Arrivals: @unchecked Sendable {
    private let lock = NSLock()
    private var instants: [ContinuousClock.Instant] = []

    func record() {
        lock.lock()
        instants.append(.now)
        lock.unlock()
    }

    /// From the first arrival to the last.
    var spread: Duration {
        lock.lock()
        defer { lock.unlock() }
        guard let first = instants.min(), let last = instants.max() else { return .zero }
        return last - first
    }
}
