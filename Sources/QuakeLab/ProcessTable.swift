import Glibc

/// What Linux's `/proc` says about processes: state, process group, session and start time.
enum ProcessTable {
    /// The fields of `/proc/PID/stat` the supervisor uses.
    struct Stat: Equatable {
        var pid: Int32
        /// Field 3: `R`, `S`, `D`, `T` (stopped), `t`, `Z` (zombie), `X` (dead), …
        var state: Character
        /// Field 4.
        var parent: Int32
        /// Field 5.
        var processGroup: Int32
        /// Field 6.
        var session: Int32
        /// Field 22: clock ticks after boot.
        var startTime: UInt64

        /// Running, sleeping or stopped: neither a zombie nor dead.
        var isAlive: Bool { state != "Z" && state != "X" && state != "x" }
        /// Stopped by a signal (`SIGSTOP`).
        var isStopped: Bool { state == "T" }
    }

    /// The stat line of `pid`, or `nil` when there is no such process.
    static func stat(of pid: Int32) -> Stat? {
        guard pid > 0, let text = read("/proc/\(pid)/stat") else { return nil }
        return parse(text, pid: pid)
    }

    /// Parses a stat line. The command name (field 2) is in parentheses and may itself hold spaces
    /// and parentheses, so the fields are counted from the last `)`.
    static func parse(_ text: String, pid: Int32) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 of the line, so field n is fields[n - 3].
        guard fields.count > 19, let state = fields[0].first,
              let parent = Int32(fields[1]), let group = Int32(fields[2]), let session = Int32(fields[3]),
              let start = UInt64(fields[19])
        else { return nil }
        return Stat(pid: pid, state: state, parent: parent, processGroup: group, session: session, startTime: start)
    }

    /// Every live process whose process group is `group`.
    static func members(ofGroup group: Int32) -> [Stat] {
        guard group > 0 else { return [] }
        return allPIDs().compactMap { pid in
            guard let stat = stat(of: pid), stat.processGroup == group, stat.isAlive else { return nil }
            return stat
        }
    }

    /// The words of `pid`'s command line (`/proc/PID/cmdline`), or `nil` when there is no such process.
    static func commandLine(of pid: Int32) -> [String]? {
        guard let text = read("/proc/\(pid)/cmdline") else { return nil }
        var words = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        if words.last == "" { words.removeLast() }
        return words
    }

    /// The PIDs listed in `/proc`.
    static func allPIDs() -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    /// The target of `/proc/self/exe`: the absolute path of the running program.
    static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBufferPointer { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return readlink("/proc/self/exe", base, raw.count - 1)
        }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The whole of a small file (such as one under `/proc`, whose size `stat` reports as 0).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
