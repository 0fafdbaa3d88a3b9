import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

@Suite("Credentials never appear in descriptions, dumps or errors", .timeLimit(.minutes(1)))
struct HTTPRedactionTests {
    static let token = "s3cr3t-t0ken-4b1d"

    static func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    @Test("headers show Authorization and cookies as <redacted>, other values as they are")
    func headers() {
        let headers: HTTPHeaders = ["Authorization": "Bearer \(Self.token)", "Cookie": "session=\(Self.token)", "X-Trace": "abc"]
        for text in [headers.description, headers.debugDescription, String(describing: headers), String(reflecting: headers), "\(headers)", Self.dumped(headers)] {
            #expect(!text.contains(Self.token), "\(text)")
            #expect(text.contains("<redacted>"), "\(text)")
            #expect(text.contains("abc"), "\(text)")
        }
        // The value itself is still there for the transfer.
        #expect(headers["authorization"] == "Bearer \(Self.token)")
    }

    @Test("a request's description, debug description and dump hide the token")
    func request() {
        let request = HTTPRequest(url: "https://example.invalid/api", headers: ["authorization": "Bearer \(Self.token)"], body: Data("{}".utf8))
        for text in [request.description, String(reflecting: request), "\(request)", Self.dumped(request)] {
            #expect(!text.contains(Self.token), "\(text)")
            #expect(text.contains("https://example.invalid/api"), "\(text)")
        }
    }

    @Test("a client certificate's key and password never show")
    func clientKey() {
        let key = Data("-----BEGIN PRIVATE KEY-----\n\(Self.token)\n-----END PRIVATE KEY-----\n".utf8)
        let certificate = HTTPClientCertificate.pem(certificate: Data("cert".utf8), key: key, keyPassword: Self.token)
        let tls = HTTPTLSOptions(clientCertificate: certificate)
        for text in [certificate.description, String(reflecting: certificate), Self.dumped(certificate), tls.description, Self.dumped(tls)] {
            #expect(!text.contains(Self.token), "\(text)")
        }
    }

    @Test("a failed request's error does not carry the token, and the server got the header intact")
    func errors() async throws {
        let headers: HTTPHeaders = ["Authorization": "Bearer \(Self.token)"]
        try await LoopbackHTTPServer.with({ _ in .reset }) { server in
            let error = await #expect(throws: HTTPError.self) { try await HTTPClient().get(server.url(), headers: headers) }
            let text = "\(String(describing: error)) \(Self.dumped(error as Any))"
            #expect(!text.contains(Self.token))
            #expect(server.requests.first?.header("Authorization") == "Bearer \(Self.token)")
        }
        let invalid = await #expect(throws: HTTPError.self) {
            try await HTTPClient().get("http://127.0.0.1:1/", headers: ["Authorization": "Bearer \(Self.token)\r\nX: y"])
        }
        #expect(invalid?.code == .invalidRequest)
        #expect(invalid.map { "\($0)".contains(Self.token) } == false)
    }
}
