import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

/// Issue #7 at the HTTP client: a server that never answers, stalls, trickles, or answers 1 GiB or
/// without end cannot hold a send past its timeout or make it keep more than its body cap, and the
/// client serves the next request as before.
///
/// Wall-clock upper bounds are checked where a process of its own measures them
/// (`RunawayTargetTests` in QuakeCLITests): here the test runner's few threads are shared with
/// CPU-heavy tests, so only the lower bound and the suite's time limit are asserted.
@Suite("HTTPClient against runaway servers", .timeLimit(.minutes(1)))
struct HTTPClientRunawayTests {
    static let cap = 4 << 20

    @Test("a send ends at its timeout or its body cap, and the client goes on", arguments: RunawayServer.allCases)
    func aSendEndsAtItsTimeoutOrItsBodyCap(runaway: RunawayServer) async throws {
        let reply: @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply = { request in
            request.path == "/ok" ? .respond(LoopbackHTTPResponse(text: "ok")) : runaway.reply
        }
        try await LoopbackHTTPServer.with(reply) { server in
            try await HTTPClient.withClient { client in
                let start = ContinuousClock.now
                let error = await #expect(throws: HTTPError.self) {
                    try await client.send(HTTPRequest(url: server.url("/runaway"), timeout: .seconds(1), maxBodyBytes: Self.cap))
                }
                let elapsed = ContinuousClock.now - start
                if runaway.onlyATimeoutEndsIt {
                    #expect(error?.code == .timeout, "\(String(describing: error))")
                    #expect(elapsed >= .milliseconds(950))
                } else {
                    // 1 GiB is refused from its Content-Length, the endless body at the cap.
                    #expect(error?.code == .tooLarge, "\(String(describing: error))")
                    #expect(error?.message == "the response body is longer than maxBodyBytes (\(Self.cap) bytes)")
                }
                let next = try await client.send(HTTPRequest(url: server.url("/ok"), timeout: .seconds(5)))
                #expect(next.status == 200 && next.body == Data("ok".utf8))
            }
        }
    }
}
