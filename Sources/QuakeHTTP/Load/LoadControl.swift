import Synchronization

/// The stop switch the workers of one load share: a flag they check on every turn of their loop,
/// and the event descriptors that wake them from their epoll waits when it is set.
final class LoadControl: Sendable {
    private let stopped = Atomic<Bool>(false)
    /// Each registered worker's wake-up descriptor.
    private let wakers = Mutex<[Int: Int32]>([:])

    /// Whether ``stop()`` was called.
    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Tells every worker to stop sending and end, and wakes those waiting for events.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        wakers.withLock { wakers in
            for descriptor in wakers.values { LoadWorker.wake(descriptor) }
        }
    }

    /// Registers worker `index`'s wake-up descriptor; it must stay open until ``unregister(_:)``.
    func register(_ index: Int, wakeDescriptor: Int32) {
        wakers.withLock { $0[index] = wakeDescriptor }
    }

    /// Forgets worker `index`'s descriptor; once this returns, no wake-up can reach it.
    func unregister(_ index: Int) {
        _ = wakers.withLock { $0.removeValue(forKey: index) }
    }
}
