import Foundation
import QuakeHTTP
import QuakeTestSupport
import Synchronization
import Testing

/// A body read as it arrives (a Kubernetes watch reads its events so): every byte reaches the
/// sink in order, the response keeps none, and a sink that says stop ends the transfer.
@Suite(.timeLimit(.minutes(1))) struct HTTPBodySinkTests {
    static let body = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })

    @Test func everyChunkReachesTheSinkInOrderAndTheResponseKeepsNone() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(body: Self.body)) }) { server in
            let received = Mutex((chunks: 0, bytes: Data()))
            var request = HTTPRequest(url: server.url("/watch"), maxBodyBytes: 1000)
            request.bodySink = HTTPBodySink { chunk in
                received.withLock { $0.chunks += 1; $0.bytes.append(chunk) }
                return true
            }
            let response = try await HTTPClient().send(request)
            #expect(response.status == 200 && response.body.isEmpty)
            let (chunks, bytes) = received.withLock { ($0.chunks, $0.bytes) }
            #expect(bytes == Self.body, "all 3 MB, in order, past maxBodyBytes: the sink bounds what it keeps")
            #expect(chunks > 1, "delivered as it arrived, not at the end")
        }
    }

    @Test func aSinkThatStopsEndsTheTransferAsCancelled() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(body: Self.body)) }) { server in
            var request = HTTPRequest(url: server.url("/watch"))
            request.bodySink = HTTPBodySink { _ in false }
            let error = await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
            #expect(error?.code == .cancelled && error?.message.contains("receiver of the streamed body stopped") == true, "\(String(describing: error))")
        }
    }
}
