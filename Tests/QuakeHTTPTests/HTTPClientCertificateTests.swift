import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("HTTPClient with a test authority: CA bundles, insecure mode, client certificates",
       .timeLimit(.minutes(1)), .enabled(if: LoopbackCertificates.isAvailable))
struct HTTPClientCertificateTests {
    @Test("a server signed by an unknown authority fails verification; trusting the authority by file or PEM data passes")
    func selfSignedAuthority() async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackTLSServer.with(certificates: pki, requireClientCertificate: false) { server in
                try await HTTPClient.withClient { client in
                    let url = "https://localhost:\(server.port)/"
                    let error = await #expect(throws: HTTPError.self) { try await client.get(url) }
                    #expect(error?.code == .tls)
                    #expect(error?.message.isEmpty == false)

                    let byFile = try await client.send(HTTPRequest(url: url, tls: HTTPTLSOptions(caFile: pki.caFile)))
                    #expect(byFile.status == 200)
                    #expect(byFile.timings.tls > .zero)

                    let pem = try Data(contentsOf: URL(fileURLWithPath: pki.caFile))
                    let byData = try await client.send(HTTPRequest(url: url, tls: HTTPTLSOptions(caPEM: pem)))
                    #expect(byData.status == 200)

                    // The certificate names 127.0.0.1 as well as localhost.
                    let byAddress = try await client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/", tls: HTTPTLSOptions(caPEM: pem)))
                    #expect(byAddress.status == 200)
                    #expect(client.statistics.insecureRequests == 0)
                }
            }
        }
    }

    @Test("the insecure switch accepts the unknown authority, and the client counts the request")
    func insecure() async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackTLSServer.with(certificates: pki, requireClientCertificate: false) { server in
                try await HTTPClient.withClient { client in
                    let request = HTTPRequest(url: "https://localhost:\(server.port)/", tls: .insecure)
                    #expect(request.tls.isInsecure)
                    #expect(request.description.contains("insecure"))

                    let response = try await client.send(request)
                    #expect(response.status == 200)
                    #expect(client.statistics.insecureRequests == 1)
                }
            }
        }
    }

    @Test("a server that requires a client certificate refuses a client without one")
    func clientCertificateRequired() async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackTLSServer.with(certificates: pki, requireClientCertificate: true) { server in
                try await HTTPClient.withClient { client in
                    let error = await #expect(throws: HTTPError.self) {
                        try await client.send(HTTPRequest(url: "https://localhost:\(server.port)/", tls: HTTPTLSOptions(caFile: pki.caFile)))
                    }
                    // TLS 1.3 sends the refusal after the handshake, so it may surface on the first read.
                    #expect(error?.code == .tls || error?.code == .reset)
                }
            }
        }
    }

    @Test("a client certificate from files or from PEM data is accepted",
          arguments: ["files", "pem"])
    func clientCertificate(source: String) async throws {
        try await LoopbackCertificates.with { pki in
            try await LoopbackTLSServer.with(certificates: pki, requireClientCertificate: true) { server in
                try await HTTPClient.withClient { client in
                    let certificate: HTTPClientCertificate = source == "files"
                        ? .files(certificate: pki.clientCertificateFile, key: pki.clientKeyFile)
                        : .pem(certificate: try Data(contentsOf: URL(fileURLWithPath: pki.clientCertificateFile)),
                               key: try Data(contentsOf: URL(fileURLWithPath: pki.clientKeyFile)))
                    let tls = HTTPTLSOptions(caFile: pki.caFile, clientCertificate: certificate)
                    let response = try await client.send(HTTPRequest(url: "https://localhost:\(server.port)/", tls: tls))

                    #expect(response.status == 200)
                    // s_server -www echoes the session: it saw the client's certificate.
                    #expect(String(decoding: response.body, as: UTF8.self).contains("quake-client"))
                    #expect(!tls.description.contains("PRIVATE KEY"))
                }
            }
        }
    }
}
