import Dispatch
import Foundation

/// Runs work that must clean up after itself (a lab run, a load) so that Ctrl-C or SIGTERM
/// cancels it instead of killing the process: the work sees the cancellation, tidies up (a lab run
/// reverts its faults and stops its processes; a load stops sending and keeps its figures) and
/// then returns or throws `CancellationError`.
enum SignalCancellation {
    /// What `quake run` prints on standard error when a signal stops a lab run.
    static let labNotice = "quake: stopping — reverting faults and stopping the lab's processes"

    /// Runs `body`, cancelling it on SIGINT or SIGTERM after printing `notice` (if any) on standard
    /// error; the signals' default actions are back once this returns.
    static func run<T: Sendable>(
        notice: String? = labNotice, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // An unstructured task only to bridge the signal callbacks: they need a handle to cancel.
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if let notice { FileHandle.standardError.write(Data("\n\(notice)\n".utf8)) }
                task.cancel()
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
}
