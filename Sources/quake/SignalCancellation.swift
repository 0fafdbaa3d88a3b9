import Dispatch
import Foundation

/// Runs work that must clean up after itself (a lab run) so that Ctrl-C or SIGTERM cancels it
/// instead of killing the process: the work sees the cancellation, reverts its faults, stops its
/// processes and then returns or throws `CancellationError`.
enum SignalCancellation {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        // An unstructured task only to bridge the signal callbacks: they need a handle to cancel.
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\nquake: stopping — reverting faults and stopping the lab's processes\n".utf8))
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
        return try await task.value
    }
}
