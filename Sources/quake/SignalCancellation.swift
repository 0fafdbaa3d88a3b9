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
enum SignalCancellation {
    /// What `quake run` prints on standard error when a signal stops a lab run.
    static let labNotice = "quake: stopping — reverting faults and stopping the lab's processes"
    /// What `quake run` prints on standard error when a signal stops a run on real clusters.
    static let kubeNotice = "quake: stopping — reverting every change made to the clusters"

    /// Runs `body`, cancelling it on SIGINT or SIGTERM after printing `notice` (if any) on standard
    /// error; `recovery` is the command that cleans up if a third signal cuts the cleanup short
    /// (nil when nothing outlives the process). The signals' default actions are back once this
    /// returns.
    static func run<T: Sendable>(
        notice: String? = labNotice, recovery: String? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // An unstructured task only to bridge the signal callbacks: they need a handle to cancel.
        let task = Task { try await body() }
        let received = Mutex(0)
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // Signals that arrive before the handler runs are delivered together: the source's
                // data counts them, and each one is answered in turn.
                let arrived = max(1, Int(source.data))
                let (before, after) = received.withLock { count in
                    defer { count += arrived }
                    return (count, count + arrived)
                }
                if before < 1 {
                    if let notice { write(notice) }
                    task.cancel()
                }
                if before < 2 && after >= 2 {
                    write(notice == nil ? "quake: still stopping — press Ctrl-C once more to exit at once"
                        : "quake: still reverting — the signal is ignored so that nothing is left behind; press Ctrl-C once more to exit at once" + (recovery.map { " and leave the rest to `\($0)`" } ?? ""))
                }
                if after >= 3 {
                    if let recovery {
                        write("quake: exiting before the cleanup finished; what is left is in the run's journal — run `\(recovery)`")
                        exit(ExitStatus.targetError.rawValue)
                    }
                    exit(ExitStatus.aborted.rawValue)
                }
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data("\n\(line)\n".utf8))
    }
}
