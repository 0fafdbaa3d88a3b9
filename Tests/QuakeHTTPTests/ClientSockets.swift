import Foundation

/// This process's TCP sockets connected to a port on 127.0.0.1, found the way `ss -p` finds
/// them: the socket inodes among the descriptors in `/proc/self/fd`, matched against the
/// connections in `/proc/net/tcp`. Other tests' sockets (to other ports) do not count.
enum ClientSockets {
    /// How many open descriptors of this process are TCP connections to 127.0.0.1:`port`.
    static func open(toPort port: UInt16) -> Int {
        let inodes = socketInodes()
        // Read to the end: a /proc file reports size 0, and a one-shot read may stop after a page.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp"), let data = try? file.readToEnd() else { return 0 }
        try? file.close()
        let table = String(decoding: data, as: UTF8.self)
        let wanted = String(format: "%04X", port)
        var count = 0
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9 else { continue }
            let remote = fields[2].split(separator: ":")
            if remote.count == 2, remote[1] == wanted, inodes.contains(String(fields[9])) {
                count += 1
            }
        }
        return count
    }

    /// How many descriptors this process has open, of every kind.
    static var descriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    private static func socketInodes() -> Set<String> {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        var inodes = Set<String>()
        for entry in entries {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                  target.hasPrefix("socket:[") else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        return inodes
    }
}
