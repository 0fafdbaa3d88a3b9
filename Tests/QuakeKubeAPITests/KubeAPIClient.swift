import Foundation
import QuakeHTTP
import QuakeKube
import QuakeTestSupport

/// Raw requests to the API server double through Quake's own stack: the kubeconfig the double
/// writes, read by QuakeKube's reader, and QuakeHTTP's libcurl client.
struct KubeAPIClient {
    let server: KubeAPIServer
    let connection: KubeConnection

    init(_ server: KubeAPIServer, user: String = "admin") throws {
        self.server = server
        connection = try Kubeconfig.load(paths: [try server.kubeconfig(user: user)]).connection()
    }

    /// Sends `method` to `path` (with its query), `body` as `contentType`, and returns the status
    /// and the body as JSON (`.null` when it is not JSON).
    func send(_ method: HTTPMethod = .get, _ path: String, body: KubeAPIJSON? = nil, contentType: String = "application/json", timeout: Duration = .seconds(10)) async throws -> (status: Int, body: KubeAPIJSON, text: String) {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if body != nil { headers.append(name: "Content-Type", value: contentType) }
        if case let .token(token) = connection.authorization { headers.append(name: "Authorization", value: "Bearer \(token)") }
        let request = HTTPRequest(method: method, url: connection.server + path, headers: headers, body: body?.data, timeout: timeout, tls: connection.tls)
        let response = try await HTTPClient().send(request)
        let text = String(decoding: response.body, as: UTF8.self)
        return (response.status, (try? KubeAPIJSON(parsing: response.body)) ?? .null, text)
    }

    /// The events of a watch response body, one JSON object a line.
    static func events(_ text: String) throws -> [KubeAPIJSON] {
        try text.split(separator: "\n").map { try KubeAPIJSON(parsing: String($0)) }
    }
}
