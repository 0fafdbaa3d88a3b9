import Foundation
import QuakeHTTP

/// Calls one cluster's API server over Quake's libcurl engine, as the user of a kubeconfig
/// context: JSON in and out, each non-2xx answer turned into a ``KubeError`` carrying the
/// server's `Status` message, reason and code, and the method and path it answered.
///
/// A 401 from an exec plugin's credential runs the plugin again and retries once, as kubectl
/// does. No header, token or key is ever part of an error.
public struct KubeClient: Sendable {
    /// Where and as whom.
    public let connection: KubeConnection
    /// The limit on each call, connecting included.
    public let timeout: Duration
    private let http: HTTPClient
    private let credentials: KubeCredentials

    /// A client of `connection` on `http` (the shared engine by default).
    public init(connection: KubeConnection, http: HTTPClient = HTTPClient(), timeout: Duration = .seconds(30)) {
        self.connection = connection
        self.http = http
        self.timeout = timeout
        self.credentials = KubeCredentials(connection: connection)
    }

    /// The patch formats of the API server (SEMANTICS §5): strategic merge only for built-in kinds.
    public enum PatchType: String, Sendable {
        case json = "application/json-patch+json"
        case merge = "application/merge-patch+json"
        case strategicMerge = "application/strategic-merge-patch+json"
    }

    /// `GET path` (with `query`), parsed.
    public func get(_ path: String, query: [(String, String)] = []) async throws -> KubeJSON {
        try await json(.get, path, query: query)
    }

    /// `PATCH path` with `patch` in format `type`; the object as the server now has it.
    public func patch(_ path: String, _ type: PatchType, _ patch: KubeJSON) async throws -> KubeJSON {
        try await json(.patch, path, body: patch.data, contentType: type.rawValue)
    }

    /// `POST path` with `object`; what the server answered.
    public func post(_ path: String, _ object: KubeJSON) async throws -> KubeJSON {
        try await json(.post, path, body: object.data, contentType: "application/json")
    }

    /// `PUT path` with `object` (its `metadata.resourceVersion` is the precondition).
    public func put(_ path: String, _ object: KubeJSON) async throws -> KubeJSON {
        try await json(.put, path, body: object.data, contentType: "application/json")
    }

    /// `DELETE path`.
    public func delete(_ path: String) async throws {
        _ = try await send(.delete, path)
    }

    private func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil) async throws -> KubeJSON {
        let data = try await send(method, path, query: query, body: body, contentType: contentType)
        return try KubeJSON.parse(data, what: "the answer to \(method.rawValue) \(path)")
    }

    /// Sends one call and returns the body of a 2xx answer.
    ///
    /// - Throws: ``KubeError``: the status's code (`unauthorized`, `forbidden`, `notFound`,
    ///   `conflict`, `gone`, `tooManyRequests`, else `api`) with the server's message, or
    ///   `transport` when no answer came.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil) async throws -> Data {
        let location = "\(method.rawValue) \(path)"
        var retried = false
        while true {
            let (authorization, tls) = try await credentials.current()
            var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": "quake"]
            if let authorization { headers.append(name: "Authorization", value: authorization) }
            if let contentType { headers.append(name: "Content-Type", value: contentType) }
            let request = HTTPRequest(method: method, url: connection.server + path + Self.query(query), headers: headers, body: body, timeout: timeout, tls: tls)
            let response: HTTPResponse
            do {
                response = try await http.send(request)
            } catch let error as HTTPError {
                throw KubeError(code: .transport, message: "\(connection.server) did not answer: \(error.message)", location: location)
            }
            if (200..<300).contains(response.status) { return response.body }
            if response.status == 401, !retried, await credentials.renew() {
                retried = true
                continue
            }
            throw KubeStatus.error(status: response.status, body: response.body, location: location)
        }
    }

    /// Sends a `GET` whose body streams into `sink`, and returns the answer's status once the
    /// server ends it.
    func streamBody(_ path: String, query: [(String, String)], sink: HTTPBodySink, timeout: Duration) async throws -> Int {
        let (authorization, tls) = try await credentials.current()
        var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": "quake"]
        if let authorization { headers.append(name: "Authorization", value: authorization) }
        var request = HTTPRequest(url: connection.server + path + Self.query(query), headers: headers, timeout: timeout, tls: tls)
        request.bodySink = sink
        do {
            return try await http.send(request).status
        } catch let error as HTTPError where error.code != .cancelled {
            throw KubeError(code: .transport, message: "\(connection.server) did not answer: \(error.message)", location: "GET \(path) (watch)")
        }
    }

    /// `?k=v&…`, percent-encoded; empty without pairs.
    static func query(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?" + pairs.map { "\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $1)" }.joined(separator: "&")
    }
}
