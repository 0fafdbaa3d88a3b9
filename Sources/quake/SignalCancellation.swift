import Dispatch
import Foundation
import Synchronization

/// Runs work that must clean up after itself (a lab run, a load) so that Ctrl-C or SIGTERM
/// cancels it instead of killing the process: the work sees the cancellation, tidies up (a lab run
/// reverts its faults and stops its processes; a load stops sending and keeps its figures) and
/// then returns or throws `CancellationError`.
///
/// A second signal during the cleanup is ignored, with a message saying so; a third exits at once
/// and prints the command that finishes the cleanup from the journal.
///
/// The signal sources are made once and kept for the process's life. libdispatch installs its
/// handler for a signal when the first source for it starts, and never again: a run that put the
/// signal's default action back when it ended silenced every later source, so the second of
/// several lab or kubernetes runs in one `quake run` (a suite, or several plans) could not be
/// stopped at all. Between runs a signal does what it does by default.
enum SignalCancellation {
    /// What `quake run` prints on standard error when a signal stops a lab run.
    static let labNotice = "quake: stopping — reverting faults and stopping the lab's processes"
    /// What `quake run` prints on standard error when a signal stops a run on real clusters.
    static let kubeNotice = "quake: stopping — reverting every change made to the clusters"

    /// The run the signals stop now.
    private struct Current: Sendable {
        var cancel: @Sendable () -> Void
        var notice: String?
        var recovery: String?
        /// Signals received since it started.
        var received = 0
    }

    private static let current = Mutex<Current?>(nil)
    private static let sources = Mutex<[DispatchSourceSignal]>([])

    /// Runs `body`, cancelling it on SIGINT or SIGTERM after printing `notice` (if any) on standard
    /// error; `recovery` is the command that cleans up if a third signal cuts the cleanup short
    /// (nil when nothing outlives the process). Once this returns, a signal does what it does by
    /// default again (it ends the process).
    static func run<T: Sendable>(
        notice: String? = labNotice, recovery: String? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // An unstructured task only to bridge the signal callbacks: they need a handle to cancel.
        let task = Task { try await body() }
        installSources()
        current.withLock { $0 = Current(cancel: { task.cancel() }, notice: notice, recovery: recovery) }
        defer { current.withLock { $0 = nil } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Makes the SIGINT and SIGTERM sources, the first time only.
    private static func installSources() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    // Signals that arrive before the handler runs are delivered together: the
                    // source's data counts them, and each one is answered in turn.
                    answer(number, arrived: max(1, Int(source.data)))
                }
                source.resume()
                return source
            }
        }
    }

    private static func answer(_ number: Int32, arrived: Int) {
        let seen = current.withLock { current -> (run: Current, before: Int)? in
            guard var run = current else { return nil }
            defer { current = run }
            run.received += arrived
            return (run, run.received - arrived)
        }
        guard let (run, before) = seen else {
            // No run to stop: the signal's own action, as if no source had been made.
            signal(number, SIG_DFL)
            kill(getpid(), number)
            return
        }
        let after = run.received
        if before < 1 {
            if let notice = run.notice { write(notice) }
            run.cancel()
        }
        if before < 2 && after >= 2 {
            write(run.notice == nil ? "quake: still stopping — press Ctrl-C once more to exit at once"
                : "quake: still reverting — the signal is ignored so that nothing is left behind; press Ctrl-C once more to exit at once" + (run.recovery.map { " and leave the rest to `\($0)`" } ?? ""))
        }
        if after >= 3 {
            if let recovery = run.recovery {
                write("quake: exiting before the cleanup finished; what is left is in the run's journal — run `\(recovery)`")
                exit(ExitStatus.targetError.rawValue)
            }
            exit(ExitStatus.aborted.rawValue)
        }
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data("\n\(line)\n".utf8))
    }
}
