import Glibc

/// A failed socket system call in the loopback test server.
public struct LoopbackSocketError: Error, CustomStringConvertible {
    /// The call that failed, such as `bind`.
    public let operation: String
    /// The `errno` it left.
    public let code: Int32

    /// The call and the system's explanation of the error.
    public var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}

/// Every system call the loopback server makes, each retried on `EINTR` and turning a failure
/// into a ``LoopbackSocketError``.
enum LoopbackSocket {
    /// What a wait for input ended with.
    enum Readiness {
        case readable
        case stopped
        case timedOut
    }

    /// A non-blocking TCP socket listening on 127.0.0.1 at a port the system chose.
    static func listen() throws -> (fd: Int32, port: UInt16) {
        let fd = try call("socket") {
            socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        }
        do {
            var reuse: Int32 = 1
            _ = try call("setsockopt(SO_REUSEADDR)") {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            _ = try call("bind") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            _ = try call("listen") { Glibc.listen(fd, 128) }
            return (fd, try port(of: fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// A port on 127.0.0.1 that nothing listens on: bound, read and released again.
    static func unusedPort() throws -> UInt16 {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    /// Whether a TCP connection to 127.0.0.1:`port` succeeds now; the connection is closed again.
    static func canConnect(to port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// The next pending connection on a non-blocking listening socket, or `nil` if there is none yet.
    static func accept(_ listener: Int32) throws -> Int32? {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                do {
                    try closeOnExec(fd)
                } catch {
                    close(fd)
                    throw error
                }
                return fd
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ECONNABORTED: return nil
            default: throw LoopbackSocketError(operation: "accept", code: errno)
            }
        }
    }

    /// Waits until `fd` has input (or is closed), `stop` becomes readable, or `timeout` passes.
    /// Pass `fd: nil` to wait only for `stop` or the timeout.
    static func wait(for fd: Int32?, stop: Int32, timeout: Duration?) throws -> Readiness {
        var fds = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
        if let fd {
            fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        }
        let milliseconds = timeout.map { Int32(min(max(0, ($0 / .milliseconds(1)).rounded(.up)), Double(Int32.max))) } ?? -1
        let ready = try call("poll") { poll(&fds, nfds_t(fds.count), milliseconds) }
        if fds[0].revents != 0 { return .stopped }
        return ready == 0 ? .timedOut : .readable
    }

    /// Reads what has arrived on `fd` into `buffer`, returning the count; 0 means the peer closed.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws -> Int {
        let count = buffer.count
        return try call("recv") { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count, 0) } }
    }

    /// Writes all of `bytes` to `fd`, without raising SIGPIPE if the peer has gone.
    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            offset += try call("send") {
                bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    /// Makes the next `close(fd)` send a TCP reset instead of an orderly shutdown (`SO_LINGER` {1, 0}).
    static func lingerZero(_ fd: Int32) throws {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = try call("setsockopt(SO_LINGER)") {
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
    }

    /// A pipe whose read end becomes readable for good once a byte is written: the server's stop signal.
    static func stopPipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        _ = try call("pipe") { pipe(&ends) }
        do {
            try ends.forEach(closeOnExec)
        } catch {
            ends.forEach(close)
            throw error
        }
        return (ends[0], ends[1])
    }

    /// Writes one byte to the stop pipe, waking every wait on its read end.
    static func raise(_ stopWrite: Int32) throws {
        var byte: UInt8 = 1
        _ = try call("write") { write(stopWrite, &byte, 1) }
    }

    /// Closes `fd`; errors are ignored, since the descriptor is released either way on Linux.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Keeps `fd` out of child processes, so that a test's subprocess cannot hold a connection open.
    private static func closeOnExec(_ fd: Int32) throws {
        _ = try call("fcntl(FD_CLOEXEC)") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    private static func port(of fd: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try call("getsockname") {
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func call<Result: BinaryInteger>(_ operation: String, _ body: () -> Result) throws -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            if errno != EINTR { throw LoopbackSocketError(operation: operation, code: errno) }
        }
    }
}
