import Foundation

/// A complete response: status, headers in the order received, body and how long each phase took.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The HTTP version the response arrived in.
    public var version: HTTPVersion
    /// The headers of the final response, in the order the server sent them.
    public var headers: HTTPHeaders
    /// The body, after any transfer encoding was removed; empty for `HEAD`.
    public var body: Data
    /// When each phase of the transfer ended.
    public var timings: HTTPTimings

    /// Creates a response.
    public init(status: Int, version: HTTPVersion = .http1_1, headers: HTTPHeaders, body: Data, timings: HTTPTimings) {
        self.status = status
        self.version = version
        self.headers = headers
        self.body = body
        self.timings = timings
    }
}
