/// A response the loopback server writes piece by piece as the client reads it, for tests of
/// runaway servers: a huge or endless body is never held in memory, and a slow one takes real time.
public enum LoopbackHTTPStream: Sendable {
    /// A `200` with `Content-Length: count`, then `count` bytes in 64 KiB pieces as fast as the
    /// client reads them.
    case sized(Int)
    /// A `200` with `Transfer-Encoding: chunked`, then 64 KiB chunks that never end.
    case endlessChunked
    /// A `200` with `Content-Length: 1000000`, then one body byte every `interval`.
    case trickle(every: Duration)
    /// A `200` with `Content-Length: 1000000`, then nothing.
    case stallAfterHead

    private static let pieceSize = 64 * 1024
    private static let filler = [UInt8](repeating: UInt8(ascii: "x"), count: pieceSize)
    private static let chunk = Array("10000\r\n".utf8) + filler + Array("\r\n".utf8)

    /// The status line and headers.
    var head: [UInt8] {
        let length = switch self {
        case .sized(let count): "Content-Length: \(count)"
        case .endlessChunked: "Transfer-Encoding: chunked"
        case .trickle, .stallAfterHead: "Content-Length: 1000000"
        }
        return Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(length)\r\nConnection: close\r\n\r\n".utf8)
    }

    /// How long to wait before each piece; `nil` waits until the server stops.
    var pause: Duration? {
        switch self {
        case .sized, .endlessChunked: .zero
        case .trickle(let interval): interval
        case .stallAfterHead: nil
        }
    }

    /// The body's next piece once `sent` body bytes are out, or `nil` when the body is complete.
    func piece(afterSending sent: Int) -> [UInt8]? {
        switch self {
        case .sized(let count):
            guard sent < count else { return nil }
            return count - sent >= Self.pieceSize ? Self.filler : Array(Self.filler.prefix(count - sent))
        case .endlessChunked: return Self.chunk
        case .trickle, .stallAfterHead: return sent < 1_000_000 ? [UInt8(ascii: "x")] : nil
        }
    }
}
