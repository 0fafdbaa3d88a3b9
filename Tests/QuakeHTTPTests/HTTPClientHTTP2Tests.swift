import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient over HTTP/2 to nghttpd", .timeLimit(.minutes(1)), .enabled(if: LoopbackHTTP2Server.nghttpd != nil))
struct HTTPClientHTTP2Tests {
    static let files = ["hello.txt": Data("hello over h2\n".utf8)]

    @Test("h2c with prior knowledge: every request is answered over HTTP/2, each on a connection of its own")
    func h2cPriorKnowledge() async throws {
        try await LoopbackHTTP2Server.with(files: Self.files) { server in
            try await HTTPClient.withClient { client in
                let responses = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                    for _ in 0..<20 {
                        group.addTask { try await client.send(HTTPRequest(url: server.url("/hello.txt"), http2: .priorKnowledge)) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(responses.count == 20)
                #expect(responses.allSatisfy { $0.status == 200 && $0.version == .http2 })
                #expect(responses.allSatisfy { String(decoding: $0.body, as: UTF8.self) == "hello over h2\n" })
                // libcurl 7.88.1 cannot reuse an h2c prior-knowledge connection, so the engine never does.
                #expect(server.connectionsSeen == 20)
                #expect(ClientSockets.open(toPort: server.port) == 0)
            }
        }
    }

    @Test("over TLS, concurrent HTTP/2 requests share one connection")
    func tlsMultiplexing() async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackHTTP2Server.with(files: Self.files, certificates: pki) { server in
                try await HTTPClient.withClient { client in
                    let tls = HTTPTLSOptions(caFile: pki.caFile)
                    let responses = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                        for _ in 0..<20 {
                            group.addTask { try await client.send(HTTPRequest(url: server.url("/hello.txt"), tls: tls, http2: .negotiate)) }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(responses.count == 20)
                    #expect(responses.allSatisfy { $0.status == 200 && $0.version == .http2 })
                    #expect(server.connectionsSeen == 1)
                }
            }
        }
    }

    @Test("over TLS, negotiate picks HTTP/2 through ALPN; off stays on HTTP/1.1, which this server refuses")
    func tlsALPN() async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackHTTP2Server.with(files: Self.files, certificates: pki) { server in
                try await HTTPClient.withClient { client in
                    let tls = HTTPTLSOptions(caFile: pki.caFile)
                    let response = try await client.send(HTTPRequest(url: server.url("/hello.txt"), tls: tls, http2: .negotiate))
                    #expect(response.status == 200)
                    #expect(response.version == .http2)
                    #expect(response.timings.tls > .zero)

                    await #expect(throws: HTTPError.self) {
                        try await client.send(HTTPRequest(url: server.url("/hello.txt"), tls: tls, http2: .off))
                    }
                }
            }
        }
    }

    @Test("a missing file is a 404 over HTTP/2, with headers")
    func notFound() async throws {
        try await LoopbackHTTP2Server.with(files: Self.files) { server in
            let response = try await HTTPClient().send(HTTPRequest(url: server.url("/missing"), http2: .priorKnowledge))
            #expect(response.status == 404)
            #expect(response.version == .http2)
            #expect(response.headers["server"]?.contains("nghttpd") == true)
        }
    }
}
