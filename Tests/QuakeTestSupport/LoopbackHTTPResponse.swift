import Foundation

/// A response for the loopback server to send; `Content-Length` is added unless the headers
/// give it or a `Transfer-Encoding`, in which case the body is sent exactly as given.
public struct LoopbackHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields, sent in this order.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    /// Creates a response with a binary body.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is `text` in UTF-8.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Data(text.utf8))
    }

    /// Whether the response itself asks to close the connection (`Connection: close`).
    var closesConnection: Bool {
        headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased() == "close" }
    }

    /// The bytes on the wire: status line, headers, then the body unless answering `HEAD`.
    func serialized(keepAlive: Bool, includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(for: status))\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !headers.contains(where: { ["content-length", "transfer-encoding"].contains($0.name.lowercased()) }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        if !keepAlive && !closesConnection {
            head += "Connection: close\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? Array(body) : [])
    }

    private static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
