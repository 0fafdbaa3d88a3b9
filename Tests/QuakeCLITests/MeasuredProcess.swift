import Foundation
import Glibc

/// A `quake` child started with `posix_spawn` and reaped with `wait4`, so that a test learns its
/// exit status, how long it ran and its peak resident memory (`ru_maxrss`), which Foundation's
/// `Process` does not report. Standard input is `/dev/null`; standard output and error go to a file.
struct MeasuredProcess: Sendable {
    /// How a child ended.
    struct Exit: Sendable {
        /// Its exit code, or 128 + the signal that ended it.
        var status: Int32
        /// From the spawn to the end.
        var elapsed: Duration
        /// Its peak resident memory, in bytes.
        var peakBytes: Int
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(code)))" }
    }

    let pid: pid_t
    /// The file holding its standard output and error.
    let output: URL
    private let started: ContinuousClock.Instant

    /// Starts the built `quake` with `arguments`, in the tests' environment (``QuakeBinary/environment(adding:)``).
    init(_ arguments: [String], output: URL) throws {
        let executable = try QuakeBinary.binary().path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = QuakeBinary.environment(adding: [:]).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw SpawnFailed(code: result) }
        self.pid = pid
        self.output = output
        self.started = ContinuousClock.now
    }

    /// What it wrote to standard output and error so far.
    var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Sends `signal` to it.
    func send(_ signal: Int32) { _ = kill(pid, signal) }

    /// Waits, on a thread of its own, until it ends, and reaps it.
    func exit() async -> Exit {
        await withCheckedContinuation { continuation in
            let pid = pid, started = started
            Thread {
                var status: Int32 = 0
                var usage = rusage()
                while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
                let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + status & 0x7F
                continuation.resume(returning: Exit(status: code, elapsed: ContinuousClock.now - started, peakBytes: usage.ru_maxrss * 1024))
            }.start()
        }
    }
}
