import Foundation
import Glibc
import QuakeLab
import Testing

/// What the process tests share: the built `quake` binary, a scratch lab folder, free ports and
/// a look at `/proc`.
enum ProcessTestSupport {
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    /// The package's root folder.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `quake` built with the tests: next to the test bundle, else in the package's `.build/debug`.
    static func quakeBinary() throws -> String {
        var dirs: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { dirs.append(executable.deletingLastPathComponent()) }
        if let argument = CommandLine.arguments.first { dirs.append(URL(fileURLWithPath: argument).deletingLastPathComponent()) }
        dirs.append(packageRoot.appendingPathComponent(".build/debug"))
        let candidates = dirs.map { $0.appendingPathComponent("quake").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(description: "quake binary not found; looked in \(candidates.joined(separator: ", "))")
        }
        return found
    }

    /// Runs `body` with a new empty folder, removed afterwards.
    @discardableResult
    static func withLabDirectory<Value>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (String) async throws -> Value
    ) async throws -> Value {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-lab-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await body(dir)
    }

    /// A port on 127.0.0.1 that nothing listens on now (bound, read and released).
    static func freePort() throws -> Int {
        try freePort(at: 0)
    }

    /// A free loopback port in `range`, outside the range the system hands out, for a process that
    /// leaves its port free for a while (a pod with a start delay).
    static func freePort(in range: Range<Int>) throws -> Int {
        for port in range.shuffled() {
            if let free = try? freePort(at: port) { return free }
        }
        throw NotFound(description: "no free port in \(range)")
    }

    /// `port` if it is free on loopback (0: any free port the system picks).
    private static func freePort(at port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NotFound(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw NotFound(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The fields 3–6 and 22 of `/proc/PID/stat` (state, parent, group, session, start time), or nil.
    static func stat(_ pid: Int32) -> (state: Character, parent: Int32, group: Int32, session: Int32, startTime: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]), let group = Int32(fields[2]),
              let session = Int32(fields[3]), let start = UInt64(fields[19]) else { return nil }
        return (state, parent, group, session, start)
    }

    /// Whether `pid` is alive (neither gone nor a zombie).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = stat(pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    /// PIDs of live processes whose process group is `group`.
    static func members(ofGroup group: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            guard let stat = stat(pid) else { return false }
            return stat.group == group && stat.state != "Z" && stat.state != "X"
        }
    }

    /// Polls `condition` every 20 ms until it holds; fails the test after 10 s.
    static func waitUntil(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s", sourceLocation: sourceLocation)
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
