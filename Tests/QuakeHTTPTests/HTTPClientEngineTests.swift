import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient engine: connections, cancellation, shutdown", .timeLimit(.minutes(1)))
struct HTTPClientEngineTests {
    @Test("sequential requests reuse one kept-alive connection")
    func keepAlive() async throws {
        try await LoopbackHTTPServer.with({ request in .respond(LoopbackHTTPResponse(text: request.path)) }) { server in
            try await HTTPClient.withClient { client in
                for index in 0..<10 {
                    let response = try await client.get(server.url("/\(index)"))
                    #expect(String(decoding: response.body, as: UTF8.self) == "/\(index)")
                }
            }
            #expect(server.requests.count == 10)
            #expect(server.acceptedConnections == 1)
        }
    }

    @Test("the shared engine behind HTTPClient() keeps connections alive too")
    func sharedEngineKeepAlive() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            for _ in 0..<3 {
                _ = try await HTTPClient().get(server.url())
            }
            #expect(server.acceptedConnections == 1)
            #expect(HTTPClient().statistics.isRunning)
        }
    }

    @Test("leaving withClient closes the connections and stops the engine")
    func scopedTeardown() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            let client = try await HTTPClient.withClient { client in
                _ = try await client.get(server.url())
                #expect(ClientSockets.open(toPort: server.port) == 1)
                return client
            }

            #expect(ClientSockets.open(toPort: server.port) == 0)
            #expect(client.statistics.isRunning == false)
            #expect(client.statistics.liveEasyHandles == 0)
            while server.clientClosedConnections < 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.clientClosedConnections == server.acceptedConnections)

            let error = await #expect(throws: HTTPError.self) { try await client.get(server.url()) }
            #expect(error?.code == .cancelled)
            #expect(error?.message.contains("shut down") == true)
        }
    }

    @Test("a request still under way when withClient ends fails with .cancelled")
    func shutdownCancelsInFlight() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            // A stray task outlives the scope on purpose, as careless code might.
            let straggler = try await HTTPClient.withClient { client in
                let task = Task { try await client.send(HTTPRequest(url: server.url(), timeout: nil)) }
                while server.requests.isEmpty {
                    try await Task.sleep(for: .milliseconds(10))
                }
                return task
            }

            let outcome = await straggler.result
            #expect((outcome.failure as? HTTPError)?.code == .cancelled)
        }
    }

    @Test("cancelling a task mid-request removes the transfer: CancellationError, the server sees the connection close, no handle left")
    func cancellationMidRequest() async throws {
        try await LoopbackHTTPServer.with({ request in request.path == "/ok" ? .respond(LoopbackHTTPResponse()) : .hang }) { server in
            try await HTTPClient.withClient { client in
                let outcomes = await CancelledSends.send(of: HTTPRequest(url: server.url(), timeout: nil), through: client) {
                    !server.requests.isEmpty
                }

                // No timeout: without the cancellation the request would hang until the suite's
                // time limit, so its ending with CancellationError is the proof it was prompt.
                #expect(outcomes.map { $0 is CancellationError } == [true])
                #expect(client.statistics.liveEasyHandles == 0)
                while server.clientClosedConnections < 1 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(server.clientClosedConnections == 1)
                #expect(ClientSockets.open(toPort: server.port) == 0)

                // The engine carries on: the next request gets an answer on a new connection.
                #expect(try await client.get(server.url("/ok")).status == 200)
                #expect(server.acceptedConnections == 2)
            }
        }
    }

    @Test("a task cancelled before sending never reaches the server")
    func cancelledBeforeSending() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            try await HTTPClient.withClient { client in
                let task = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await client.get(server.url())
                }
                let outcome = await task.result
                #expect(outcome.failure is CancellationError)
                #expect(server.acceptedConnections == 0)
            }
        }
    }

    @Test("cancelling many requests at once resumes each exactly once and leaks no handle")
    func massCancellation() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let client = try await HTTPClient.withClient(HTTPClient.Configuration(maxConnections: 8)) { client in
                // Cancelled once every request has reached the engine (and 8 the server): a request
                // cancelled before it reaches the engine ends at once, with no transfer to finish.
                let outcomes = await CancelledSends.send(200, of: HTTPRequest(url: server.url(), timeout: nil), through: client) {
                    server.requests.count >= 8 && client.statistics.activeTransfers == 200
                }
                #expect(outcomes.count == 200)
                #expect(outcomes.allSatisfy { $0 is CancellationError })
                #expect(client.statistics.liveEasyHandles == 0)
                return client
            }
            #expect(client.statistics.finishedTransfers == 200)
            #expect(ClientSockets.open(toPort: server.port) == 0)
        }
    }

    @Test("a request waiting for a connection times out like one that has one")
    func timeoutWhileWaitingForConnection() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            try await HTTPClient.withClient(HTTPClient.Configuration(maxConnections: 1)) { client in
                async let first = CancelledSends.failure { try await client.send(HTTPRequest(url: server.url("/first"), timeout: .seconds(3))) }
                while server.requests.isEmpty {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let start = ContinuousClock.now
                let error = await #expect(throws: HTTPError.self) {
                    try await client.send(HTTPRequest(url: server.url("/second"), timeout: .milliseconds(300)))
                }
                let elapsed = ContinuousClock.now - start
                #expect(error?.code == .timeout)
                #expect(elapsed >= .milliseconds(300))
                #expect(server.requests.map(\.path) == ["/first"])
                #expect((await first as? HTTPError)?.code == .timeout)
            }
        }
    }

    @Test("requests beyond maxActiveTransfers wait their turn and all complete")
    func activeTransferLimit() async throws {
        try await LoopbackHTTPServer.with({ request in .respond(LoopbackHTTPResponse(text: request.path), after: .milliseconds(5)) }) { server in
            let configuration = HTTPClient.Configuration(maxConnections: 4, maxActiveTransfers: 2)
            try await HTTPClient.withClient(configuration) { client in
                let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<50 {
                        group.addTask { String(decoding: try await client.get(server.url("/\(index)")).body, as: UTF8.self) }
                    }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                #expect(bodies == Set((0..<50).map { "/\($0)" }))
                #expect(server.acceptedConnections <= 2)
                #expect(client.statistics.liveEasyHandles == 0)
            }
        }
    }

    @Test("10,000 concurrent requests through one engine: all answered, no handle, socket or descriptor left")
    func tenThousandConcurrent() async throws {
        let count = 10_000
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "ok")) }) { server in
            let configuration = HTTPClient.Configuration(maxConnections: 32)
            let client = try await HTTPClient.withClient(configuration) { client in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<count {
                        group.addTask { try await client.get(server.url("/\(index)")).status }
                    }
                    return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
                }
                #expect(statuses == [200: count])
                #expect(ClientSockets.open(toPort: server.port) <= 32)
                let statistics = client.statistics
                #expect(statistics.liveEasyHandles == 0)
                #expect(statistics.finishedTransfers == count)
                return client
            }

            #expect(server.requests.count == count)
            #expect(server.acceptedConnections <= 32)
            #expect(client.statistics.liveEasyHandles == 0)
            #expect(client.statistics.activeTransfers == 0)
            #expect(client.statistics.queuedTransfers == 0)
            #expect(client.statistics.isRunning == false)
            // Every connection the engine opened is closed again.
            #expect(ClientSockets.open(toPort: server.port) == 0)
        }
    }

    @Test("redirects are followed only when asked, up to the limit")
    func redirects() async throws {
        try await LoopbackHTTPServer.with({ request in
            switch request.path {
            case "/a": .respond(LoopbackHTTPResponse(status: 302, headers: [("Location", "/b")]))
            case "/b": .respond(LoopbackHTTPResponse(status: 301, headers: [("Location", "/c")]))
            case "/other-host": .respond(LoopbackHTTPResponse(status: 307, headers: [("Location", "http://localhost:\(request.header("X-Port") ?? "")/c")]))
            default: .respond(LoopbackHTTPResponse(text: "arrived at \(request.path)"))
            }
        }) { server in
            try await HTTPClient.withClient { client in
                let unfollowed = try await client.get(server.url("/a"))
                #expect(unfollowed.status == 302)

                let followed = try await client.send(HTTPRequest(url: server.url("/a"), maxRedirects: 5))
                #expect(followed.status == 200)
                #expect(String(decoding: followed.body, as: UTF8.self) == "arrived at /c")
                #expect(followed.headers["Location"] == nil)

                let error = await #expect(throws: HTTPError.self) {
                    try await client.send(HTTPRequest(url: server.url("/a"), maxRedirects: 1))
                }
                #expect(error?.code == .other)
                #expect(server.requests.map(\.path) == ["/a", "/a", "/b", "/c", "/a", "/b"])

                // A credential set for one host is not sent on to another (libcurl's rule for a custom Authorization header).
                let headers: HTTPHeaders = ["Authorization": "Bearer secret", "X-Port": "\(server.port)"]
                let elsewhere = try await client.send(HTTPRequest(url: server.url("/other-host"), headers: headers, maxRedirects: 1))
                #expect(elsewhere.status == 200)
                let seen = server.requests.suffix(2)
                #expect(seen.map(\.path) == ["/other-host", "/c"])
                #expect(seen.map { $0.header("Authorization") } == ["Bearer secret", nil])
            }
        }
    }

    @Test("a response reports its HTTP version")
    func versionReported() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            let response = try await HTTPClient().get(server.url())
            #expect(response.version == .http1_1)
        }
    }
}

extension Result {
    /// The error, or `nil` for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
