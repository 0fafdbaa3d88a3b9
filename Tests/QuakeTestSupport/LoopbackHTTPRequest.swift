import Foundation

/// A request as the loopback server received it, for handlers to answer and tests to inspect.
public struct LoopbackHTTPRequest: Sendable {
    /// The method token, such as `POST`.
    public let method: String
    /// The request target as sent, such as `/items?id=1`.
    public let path: String
    /// The protocol version, such as `HTTP/1.1`.
    public let version: String
    /// The header fields in the order received.
    public let headers: [(name: String, value: String)]
    /// The body, as many bytes as `Content-Length` gave.
    public let body: Data

    /// The value of the first header named `name`, ignoring case, or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether the client asked to keep the connection open after this request.
    var wantsKeepAlive: Bool {
        let connection = header("Connection")?.lowercased()
        return version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"
    }
}
