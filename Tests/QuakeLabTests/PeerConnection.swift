import Foundation
import Glibc
import Synchronization

/// One HTTP/1.1 connection to a pod on 127.0.0.1 from a chosen loopback address, as a lab Envoy
/// connects (`upstream_bind_config`), for the partition tests: a request is sent at once and its
/// answer awaited for a limited time, so a held request shows as no answer.
///
/// Owns its socket, closed with it. Blocking calls run on a thread of their own, never on the
/// cooperative pool.
final class PeerConnection: Sendable {
    private let fd: Int32
    private let received = Mutex<[UInt8]>([])

    /// Connects to 127.0.0.1:`port` from `source` (every 127/8 address is local on Linux's `lo`).
    init(port: Int, from source: String) throws {
        fd = try Self.connect(port: port, from: source)
    }

    private static func connect(port: Int, from source: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PodTestClient.Failure(description: "socket: \(String(cString: strerror(errno)))") }
        func call(_ name: String, _ host: String, _ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) throws {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr(host)
            let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard result == 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw PodTestClient.Failure(description: "\(name): \(reason)")
            }
        }
        try call("bind \(source)", source, 0, bind)
        try call("connect", "127.0.0.1", port, Glibc.connect)
        return fd
    }

    deinit { close(fd) }

    /// Sends `GET path`.
    func send(_ path: String) throws {
        let bytes = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw PodTestClient.Failure(description: "send: \(String(cString: strerror(errno)))") }
    }

    /// The next response, or nil when none is complete within `limit`.
    ///
    /// - Throws: when the pod closes the connection or the socket fails.
    func response(within limit: Duration) async throws -> PodTestClient.Response? {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try self.receive(until: ContinuousClock.now + limit) }) }.start()
        }
    }

    private func receive(until deadline: ContinuousClock.Instant) throws -> PodTestClient.Response? {
        var reads = 0
        while true {
            let complete = received.withLock { bytes -> PodTestClient.Response? in
                guard let (response, used) = PodTestClient.parse(bytes) else { return nil }
                bytes.removeFirst(used)
                return PodTestClient.Response(status: response.status, headers: response.headers, body: response.body, reads: reads)
            }
            if let complete { return complete }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            let (seconds, attoseconds) = remaining.components
            var timeout = timeval(tv_sec: Int(seconds), tv_usec: max(1, Int(attoseconds / 1_000_000_000_000)))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            guard n > 0 else { throw PodTestClient.Failure(description: n == 0 ? "the pod closed the connection" : "recv: \(String(cString: strerror(errno)))") }
            reads += 1
            received.withLock { $0 += chunk[..<n] }
        }
    }
}
