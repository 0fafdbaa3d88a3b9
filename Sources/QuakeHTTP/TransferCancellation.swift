import Synchronization

/// A flag that a cancelled task raises and the transfer's progress callback reads, so that the
/// transfer stops within about a second (libcurl calls the callback at least once a second).
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Whether the transfer has been asked to stop.
    var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Asks the transfer to stop.
    func cancel() {
        flag.store(true, ordering: .releasing)
    }
}
