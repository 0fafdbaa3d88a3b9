import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient over TLS to openssl s_server", .timeLimit(.minutes(1)), .enabled(if: LoopbackTLSServer.openssl != nil))
struct HTTPClientTLSTests {
    let client = HTTPClient()

    @Test("a self-signed certificate is refused by default")
    func untrustedByDefault() async throws {
        try await LoopbackTLSServer.with { server in
            let error = await #expect(throws: HTTPError.self) {
                try await client.get("https://localhost:\(server.port)/")
            }
            #expect(error?.code == .tls)
        }
    }

    @Test("trusting the server's certificate through caFile gives a response with TLS timings")
    func trustedThroughCAFile() async throws {
        try await LoopbackTLSServer.with { server in
            let tls = HTTPTLSOptions(caFile: server.certificateFile)
            let response = try await client.send(HTTPRequest(url: "https://localhost:\(server.port)/", tls: tls))

            #expect(response.status == 200)
            #expect(!response.body.isEmpty)
            #expect(response.timings.tls > .zero)
            #expect(response.timings.connect <= response.timings.tls)
            #expect(response.timings.tls <= response.timings.firstByte)
        }
    }

    @Test("a certificate for another name is refused unless verifyHost is off")
    func hostMismatch() async throws {
        try await LoopbackTLSServer.with { server in
            let url = "https://127.0.0.1:\(server.port)/"
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: url, tls: HTTPTLSOptions(caFile: server.certificateFile)))
            }
            #expect(error?.code == .tls)

            let lenient = HTTPTLSOptions(verifyHost: false, caFile: server.certificateFile)
            let response = try await client.send(HTTPRequest(url: url, tls: lenient))
            #expect(response.status == 200)
        }
    }

    @Test("verifyPeer off accepts an untrusted certificate")
    func verifyPeerOff() async throws {
        try await LoopbackTLSServer.with { server in
            let insecure = HTTPTLSOptions(verifyPeer: false)
            let response = try await client.send(HTTPRequest(url: "https://localhost:\(server.port)/", tls: insecure))
            #expect(response.status == 200)
        }
    }
}
