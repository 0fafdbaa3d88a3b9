import Foundation

/// This process's TCP sockets connected to a port on 127.0.0.1: each open descriptor listed in
/// `/proc/self/fd` whose peer (`getpeername`) is that address. Other tests' sockets (to other
/// ports) and the test server's own accepted sockets (whose peer is the client's port) do not count.
///
/// Asking each descriptor for its peer, rather than reading `/proc/net/tcp`, keeps the count exact
/// while other tests open and close connections: that table is read a page at a time and can list
/// a socket twice, or not at all, when it changes between two reads.
enum ClientSockets {
    /// How many open descriptors of this process are TCP connections to 127.0.0.1:`port`.
    static func open(toPort port: UInt16) -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return 0 }
        return entries.compactMap(Int32.init).filter { isConnected($0, toLoopbackPort: port) }.count
    }

    /// Whether `descriptor` is a TCP socket whose peer is 127.0.0.1:`port`.
    private static func isConnected(_ descriptor: Int32, toLoopbackPort port: UInt16) -> Bool {
        var type: Int32 = 0
        var typeLength = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0, type == Int32(SOCK_STREAM.rawValue) else {
            return false
        }
        var peer = sockaddr_in()
        var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &peerLength) }
        }
        return named == 0
            && peer.sin_family == sa_family_t(AF_INET)
            && UInt16(bigEndian: peer.sin_port) == port
            && UInt32(bigEndian: peer.sin_addr.s_addr) == 0x7F00_0001
    }
}
