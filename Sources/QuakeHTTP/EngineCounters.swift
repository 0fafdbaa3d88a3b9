import Synchronization

/// An engine's running counts, written by its thread (and by senders, for insecure requests)
/// and read from anywhere as ``HTTPClient/Statistics``. Relaxed atomics: each count is exact,
/// a snapshot of several is not taken at one instant.
final class EngineCounters: Sendable {
    private let liveEasyHandles = Atomic<Int>(0)
    private let activeTransfers = Atomic<Int>(0)
    private let queuedTransfers = Atomic<Int>(0)
    private let finishedTransfers = Atomic<Int>(0)
    private let insecureRequests = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)

    func easyHandleCreated() { liveEasyHandles.add(1, ordering: .relaxed) }
    func easyHandleFreed() { liveEasyHandles.subtract(1, ordering: .relaxed) }
    func transferFinished() { finishedTransfers.add(1, ordering: .relaxed) }
    func insecureRequestSent() { insecureRequests.add(1, ordering: .relaxed) }
    func stopped() { running.store(false, ordering: .releasing) }

    /// Records how many transfers libcurl runs and how many wait for a slot.
    func setLoad(active: Int, queued: Int) {
        activeTransfers.store(active, ordering: .relaxed)
        queuedTransfers.store(queued, ordering: .relaxed)
    }

    /// The counts now.
    var snapshot: HTTPClient.Statistics {
        HTTPClient.Statistics(
            liveEasyHandles: liveEasyHandles.load(ordering: .relaxed),
            activeTransfers: activeTransfers.load(ordering: .relaxed),
            queuedTransfers: queuedTransfers.load(ordering: .relaxed),
            finishedTransfers: finishedTransfers.load(ordering: .relaxed),
            insecureRequests: insecureRequests.load(ordering: .relaxed),
            isRunning: running.load(ordering: .acquiring)
        )
    }
}
