import Foundation
import Glibc

/// A bare HTTP/1.1 client on one TCP connection, for what libcurl hides: how many connections a
/// run of requests used, and whether a response arrived in one piece.
///
/// Each exchange runs on a thread of its own (blocking socket calls with a 10 s receive timeout),
/// never on the cooperative pool.
enum PodTestClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One response as read: status, headers (names lower-cased), body, and how many `recv`
    /// calls it took.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        var reads: Int
    }

    /// Sends each request of `paths` (a `GET`, or the given method) one after another on a single
    /// keep-alive connection to 127.0.0.1:`port` and returns the responses.
    static func exchange(port: Int, _ requests: [(method: String, path: String)]) async throws -> [Response] {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try run(port: port, requests) })
            }
            thread.start()
        }
    }

    /// `GET`s of `paths` on one connection.
    static func get(port: Int, _ paths: [String]) async throws -> [Response] {
        try await exchange(port: port, paths.map { ("GET", $0) })
    }

    private static func run(port: Int, _ requests: [(method: String, path: String)]) throws -> [Response] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(String(cString: strerror(errno)))") }
        var responses: [Response] = []
        var pending: [UInt8] = []
        for request in requests {
            let text = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
            let bytes = Array(text.utf8)
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == bytes.count else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            var reads = 0
            while true {
                if let (response, used) = parse(pending) {
                    pending.removeFirst(used)
                    responses.append(Response(status: response.status, headers: response.headers, body: response.body, reads: reads))
                    break
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw Failure(description: n == 0 ? "the server closed the connection" : "recv: \(String(cString: strerror(errno)))") }
                reads += 1
                pending += chunk[..<n]
            }
        }
        return responses
    }

    /// A complete response at the start of `bytes` and how many bytes it used, or `nil` if more are needed.
    static func parse(_ bytes: [UInt8]) -> (response: (status: Int, headers: [String: String], body: String), used: Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2, let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return ((status, headers, String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)), bodyStart + length)
    }
}
