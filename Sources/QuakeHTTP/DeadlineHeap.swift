/// Submissions ordered by deadline, earliest first (a binary min-heap), for the engine to time
/// out what libcurl would not: a transfer waiting for a connection (libcurl checks no timeout
/// while a transfer waits for one of `CURLMOPT_MAX_TOTAL_CONNECTIONS`) or for a slot in the
/// engine's own queue.
///
/// Holds submissions weakly, so a finished one is not kept alive until its deadline; its entry
/// is dropped when it reaches the top. Engine thread only.
struct DeadlineHeap {
    private struct Entry {
        let deadline: ContinuousClock.Instant
        weak var submission: TransferSubmission?
    }

    private var entries: [Entry] = []

    /// How many entries are held, finished submissions' included.
    var count: Int { entries.count }

    /// The earliest deadline held, if any.
    var earliest: ContinuousClock.Instant? { entries.first?.deadline }

    /// Adds `submission` with its deadline. O(log n).
    mutating func insert(_ submission: TransferSubmission, deadline: ContinuousClock.Instant) {
        entries.append(Entry(deadline: deadline, submission: submission))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes every entry whose deadline is at or before `now` and returns the submissions still alive.
    mutating func removeExpired(now: ContinuousClock.Instant) -> [TransferSubmission] {
        var expired: [TransferSubmission] = []
        while let first = entries.first, first.deadline <= now {
            if let submission = first.submission { expired.append(submission) }
            removeFirst()
        }
        return expired
    }

    private mutating func removeFirst() {
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
