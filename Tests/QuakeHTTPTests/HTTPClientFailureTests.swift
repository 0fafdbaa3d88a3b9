import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient failures", .timeLimit(.minutes(1)))
struct HTTPClientFailureTests {
    let client = HTTPClient()

    @Test("a server that never answers gives .timeout after about the timeout")
    func hangTimesOut() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let start = ContinuousClock.now
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url(), timeout: .milliseconds(500)))
            }
            let elapsed = ContinuousClock.now - start

            #expect(error?.code == .timeout)
            #expect(error?.url == server.url())
            // Not before the timeout. The hang is endless, so ending at all (within the suite's time
            // limit) shows the timeout fired; an upper bound on wall time would only measure how busy
            // the test runner's threads were with other tests.
            #expect(elapsed >= .milliseconds(450))
        }
    }

    @Test("a port with nothing listening gives .refused")
    func refused() async throws {
        let url = "http://127.0.0.1:\(try LoopbackHTTPServer.unusedPort())/"
        let error = await #expect(throws: HTTPError.self) { try await client.get(url) }

        #expect(error?.code == .refused)
        #expect(error?.message.contains("curl error 7") == true)
    }

    @Test("a connection reset or closed before the response gives .reset", arguments: [LoopbackHTTPReply.reset, .close])
    func dropped(reply: LoopbackHTTPReply) async throws {
        try await LoopbackHTTPServer.with({ _ in reply }) { server in
            let error = await #expect(throws: HTTPError.self) { try await client.get(server.url()) }

            #expect(error?.code == .reset)
            #expect(server.requests.count == 1)
        }
    }

    @Test("a response cut off mid-body gives .reset, whether the server closes or resets",
          arguments: [false, true])
    func cutOffMidResponse(reset: Bool) async throws {
        let response = LoopbackHTTPResponse(body: Data(repeating: UInt8(ascii: "x"), count: 10_000))
        try await LoopbackHTTPServer.with({ _ in .truncated(response, afterBytes: 3000, reset: reset) }) { server in
            let error = await #expect(throws: HTTPError.self) { try await client.get(server.url()) }

            #expect(error?.code == .reset)
            #expect(error?.message.contains("curl error") == true)
        }
    }

    @Test("a body longer than maxBodyBytes gives .tooLarge, with or without Content-Length")
    func bodyCap() async throws {
        let large = Data(repeating: UInt8(ascii: "x"), count: 4096)
        try await LoopbackHTTPServer.with({ request in
            request.path == "/chunked"
                ? .respond(LoopbackHTTPResponse(headers: [("Transfer-Encoding", "chunked")], body: Self.chunked(large)))
                : .respond(LoopbackHTTPResponse(body: large))
        }) { server in
            for path in ["/sized", "/chunked"] {
                let error = await #expect(throws: HTTPError.self, "\(path)") {
                    try await client.send(HTTPRequest(url: server.url(path), maxBodyBytes: 1024))
                }
                #expect(error?.code == .tooLarge, "\(path)")
                #expect(error?.message.contains("1024") == true, "\(path)")

                let fits = try await client.send(HTTPRequest(url: server.url(path), maxBodyBytes: 4096))
                #expect(fits.body == large, "\(path)")
            }
        }
    }

    @Test("an https URL to a plain HTTP server fails with .tls; verification is on by default")
    func httpsToPlainServer() async throws {
        let defaults = HTTPRequest(url: "https://example.invalid/")
        #expect(defaults.tls.verifyPeer)
        #expect(defaults.tls.verifyHost)
        #expect(defaults.tls.caFile == nil)
        #expect(defaults.tls.isInsecure == false)

        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await client.get("https://127.0.0.1:\(server.port)/")
            }
            #expect(error?.code == .tls)
        }
    }

    @Test("a name that cannot resolve gives .dns")
    func unresolvable() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://quake-test.invalid/", timeout: .seconds(20)))
        }
        #expect(error?.code == .dns)
    }

    @Test("URLs that are not http or https, or do not parse, give .invalidURL",
          arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "http://exa mple.com/", "", "http://a\u{0}b/"])
    func invalidURL(url: String) async throws {
        let error = await #expect(throws: HTTPError.self) { try await client.get(url) }
        #expect(error?.code == .invalidURL)
    }

    @Test("a header that would split the request gives .invalidRequest and sends nothing")
    func headerInjection() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse()) }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await client.get(server.url(), headers: ["X-Evil": "1\r\nX-Injected: yes"])
            }
            #expect(error?.code == .invalidRequest)
            #expect(server.acceptedConnections == 0)
        }
    }

    @Test("cancelling the task stops a transfer that would otherwise wait for ever")
    func cancellation() async throws {
        try await LoopbackHTTPServer.with({ _ in .hang }) { server in
            let outcomes = await CancelledSends.send(of: HTTPRequest(url: server.url(), timeout: nil), through: client) {
                !server.requests.isEmpty
            }

            // The request has no timeout: without the cancellation it would hang until the suite's
            // time limit, so its ending with CancellationError is the proof.
            #expect(outcomes.map { $0 is CancellationError } == [true])
        }
    }

    /// `data` in HTTP/1.1 chunked transfer coding, as 1 KiB chunks.
    private static func chunked(_ data: Data) -> Data {
        var encoded = Data()
        var offset = 0
        while offset < data.count {
            let chunk = data[offset..<min(offset + 1024, data.count)]
            encoded += Data("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Data("\r\n".utf8)
            offset += chunk.count
        }
        return encoded + Data("0\r\n\r\n".utf8)
    }
}
