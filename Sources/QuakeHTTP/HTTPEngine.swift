import Foundation
import Synchronization

/// The shared side of one client engine: a locked queue of submissions and cancellations that
/// any thread may add to, and the dedicated thread (``EngineLoop``) that drains it into one
/// libcurl multi handle.
///
/// Senders never block: they append under a short lock and wake the thread with
/// `curl_multi_wakeup` only when it sleeps in `curl_multi_poll`. The thread is a plain OS
/// thread, never one of Swift's cooperative pool.
final class HTTPEngine: Sendable {
    /// The limits the engine was started with.
    let configuration: HTTPClient.Configuration
    /// What the engine is doing, for ``HTTPClient/statistics``.
    let counters = EngineCounters()
    private let state = Mutex(State())

    private struct State {
        var submissions: [TransferSubmission] = []
        var cancellations: [TransferSubmission] = []
        /// Set once: no more submissions are taken and the thread winds down.
        var stopping = false
        /// Why the engine could not start, if it could not.
        var failure: HTTPError?
        /// Whether the thread has released every handle and ended.
        var exited = false
        /// Whether the thread is in, or about to enter, `curl_multi_poll` with nothing queued.
        var sleeping = false
        /// Present while the multi handle exists.
        var waker: MultiHandle.Waker?
        var exitWaiters: [CheckedContinuation<Void, Never>] = []

        /// Wakes the thread if it sleeps; at most once per sleep.
        mutating func wake() {
            guard sleeping, let waker else { return }
            sleeping = false
            waker.wake()
        }
    }

    /// The process-wide engine behind `HTTPClient()`, started on first use and never stopped.
    static let shared = HTTPEngine(configuration: HTTPClient.Configuration(), name: "QuakeHTTP shared")

    /// Starts an engine and its thread, named `name` (Linux keeps 15 bytes of it). Submissions
    /// made before the thread is ready wait in the queue.
    init(configuration: HTTPClient.Configuration, name: String) {
        precondition(configuration.maxConnections >= 0 && configuration.maxConnectionsPerHost >= 0,
                     "connection limits cannot be negative")
        precondition(configuration.maxActiveTransfers > 0, "maxActiveTransfers must be at least 1")
        self.configuration = configuration
        let thread = Thread { [self] in
            EngineLoop.run(engine: self)
        }
        thread.name = name
        thread.start()
    }

    // MARK: Any thread

    /// Queues `submission` for the thread, or completes it at once with an error if the engine has stopped.
    func submit(_ submission: TransferSubmission) {
        if submission.request.tls.isInsecure && submission.request.url.lowercased().hasPrefix("https:") {
            counters.insecureRequestSent()
        }
        let refusal = state.withLock { state -> HTTPError? in
            guard !state.stopping else {
                return state.failure ?? HTTPError(code: .cancelled, message: "the HTTP client has shut down", url: submission.request.url)
            }
            state.submissions.append(submission)
            state.wake()
            return nil
        }
        if let refusal {
            submission.complete(.failure(HTTPError(code: refusal.code, message: refusal.message, url: submission.request.url)))
        }
    }

    /// Asks the thread to remove `submission`'s transfer and complete it with `CancellationError`.
    func cancel(_ submission: TransferSubmission) {
        state.withLock { state in
            guard !state.stopping else { return }
            state.cancellations.append(submission)
            state.wake()
        }
    }

    /// Stops the engine: transfers under way or queued end with ``HTTPError/Code/cancelled``,
    /// pooled connections close, and the thread ends before this returns.
    func shutdown() async {
        await withCheckedContinuation { continuation in
            let exited = state.withLock { state in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                if !state.stopping {
                    state.stopping = true
                    state.sleeping = true
                    state.wake()
                }
                return false
            }
            if exited { continuation.resume() }
        }
    }

    // MARK: The engine's thread

    /// Records that the multi handle exists and how to wake the thread out of a poll.
    func publish(_ waker: MultiHandle.Waker) {
        state.withLock { $0.waker = waker }
    }

    /// Moves the queued submissions and cancellations into the thread's buffers (which must be
    /// empty); returns whether the engine is stopping.
    func take(submissions: inout [TransferSubmission], cancellations: inout [TransferSubmission]) -> Bool {
        state.withLock { state in
            swap(&state.submissions, &submissions)
            swap(&state.cancellations, &cancellations)
            state.sleeping = false
            return state.stopping
        }
    }

    /// Marks the thread as about to sleep, unless work arrived meanwhile; returns whether it may sleep.
    func prepareToSleep() -> Bool {
        state.withLock { state in
            guard state.submissions.isEmpty && state.cancellations.isEmpty && !state.stopping else { return false }
            state.sleeping = true
            return true
        }
    }

    /// Refuses further submissions (recording `failure`, if the engine could not start), drops
    /// the waker before the multi handle goes, and returns what was still queued.
    func close(failure: HTTPError?) -> [TransferSubmission] {
        state.withLock { state in
            state.stopping = true
            if state.failure == nil { state.failure = failure }
            state.waker = nil
            defer { state.submissions = [] }
            return state.submissions
        }
    }

    /// Records that the thread released everything, and wakes whoever waits in ``shutdown()``.
    func exited() {
        counters.stopped()
        let waiters = state.withLock { state in
            state.exited = true
            defer { state.exitWaiters = [] }
            return state.exitWaiters
        }
        waiters.forEach { $0.resume() }
    }
}
