import NIOCore
import NIOHTTP1

/// One answer of a pod, encoded with its status line, headers and body in a single buffer.
///
/// One buffer means one `write(2)` and one TCP segment: a response whose headers and body go out
/// in two writes meets Nagle's algorithm and the peer's delayed ACK on a reused connection and
/// waits about 40 ms (LAB-NOTES.md, "Backends").
struct PodResponse {
    /// The status code.
    var status: Int
    /// The body text.
    var body: String
    /// The `Content-Type` header.
    var contentType = "text/plain; charset=utf-8"

    /// An answer from its parts.
    init(status: Int, body: String, contentType: String = "text/plain; charset=utf-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    /// The whole response as it goes on the wire: `Content-Length` always, `Connection: close`
    /// when the connection closes after it, no body for a `HEAD` request.
    func encoded(pod: String, keepAlive: Bool, includeBody: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        let length = body.utf8.count
        var buffer = allocator.buffer(capacity: 160 + pod.utf8.count + contentType.utf8.count + (includeBody ? length : 0))
        buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
        buffer.writeString("content-type: \(contentType)\r\ncontent-length: \(length)\r\nx-quake-pod: \(pod)\r\n")
        if !keepAlive { buffer.writeString("connection: close\r\n") }
        buffer.writeString("\r\n")
        if includeBody { buffer.writeString(body) }
        return buffer
    }
}
