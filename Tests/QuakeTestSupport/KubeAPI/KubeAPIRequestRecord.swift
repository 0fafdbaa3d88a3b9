import Foundation

/// One request the Kubernetes API double received, for tests to assert on: who sent what, and
/// the status it was answered with.
public struct KubeAPIRequestRecord: Sendable {
    /// The HTTP method, such as `PATCH`.
    public let method: String
    /// The path without the query, such as `/api/v1/nodes/n1`.
    public let path: String
    /// The query parameters, decoded.
    public let query: [String: String]
    /// The `Content-Type` header's media type, without parameters (`application/merge-patch+json`).
    public let contentType: String
    /// The `Accept` header as sent.
    public let accept: String
    /// The body as sent.
    public let body: Data
    /// The authenticated user, or `nil` when the request was refused with 401 (or not answered yet).
    public internal(set) var user: String?
    /// The authenticated user's groups (a client certificate's organizations).
    public internal(set) var groups: [String] = []
    /// The HTTP status answered, or `nil` while the request is held (``KubeAPIServer/hang()``).
    /// A watch counts as answered (200) when its stream starts.
    public internal(set) var status: Int?

    /// The body parsed as JSON, or `nil` when it is empty or not JSON.
    public var json: KubeAPIJSON? {
        try? KubeAPIJSON(parsing: body)
    }

    /// Whether this is a watch (`?watch=true`, or `1` as some clients send).
    public var isWatch: Bool {
        KubeAPIRequest.isTrue(query["watch"])
    }

    init(_ request: KubeAPIRequest) {
        method = request.method
        path = request.path
        query = request.query
        contentType = request.contentType
        accept = request.header("Accept") ?? ""
        body = Data(request.body)
    }
}
