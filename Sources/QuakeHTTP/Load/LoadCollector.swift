import Synchronization

/// Gathers the workers' per-second tallies as each second closes, merges them, hands each merged
/// second to the progress callback once every worker has closed it, and resumes the waiting
/// generator when the last worker has finished.
final class LoadCollector: Sendable {
    /// What every worker reported when it finished.
    struct Outcome {
        var windows: [LoadTally]
        var total: LoadTally
        var sentInTime: Int
        var abandoned: Int
        var sendingEnded: Int64
        var lastEnded: Int64
        var failure: HTTPError?
    }

    private struct State {
        var windows: [LoadTally] = []
        var closedBy: [Int] = []
        var reported = 0
        var total = LoadTally(precise: true)
        var sentInTime = 0
        var abandoned = 0
        var sendingEnded: Int64 = 0
        var lastEnded: Int64 = 0
        var finished = 0
        var failure: HTTPError?
        var waiter: CheckedContinuation<Outcome, Never>?
        var outcome: Outcome?
    }

    private let workers: Int
    private let onSecond: (@Sendable (Int, LoadTally) -> Void)?
    private let state = Mutex(State())

    /// A collector for `workers` workers; `onSecond` gets each merged second in order, on a worker
    /// thread, under the collector's lock (so it must be short and must not call back).
    init(workers: Int, onSecond: (@Sendable (Int, LoadTally) -> Void)?) {
        self.workers = workers
        self.onSecond = onSecond
    }

    /// Adds a worker's tally of second `index`; a worker closes its seconds in order.
    func close(second index: Int, _ tally: LoadTally) {
        state.withLock { state in
            while state.windows.count <= index {
                state.windows.append(LoadTally(precise: false))
                state.closedBy.append(0)
            }
            state.windows[index].merge(tally)
            state.closedBy[index] += 1
            while state.reported < state.windows.count, state.closedBy[state.reported] >= workers {
                onSecond?(state.reported, state.windows[state.reported])
                state.reported += 1
            }
        }
    }

    /// Records that a worker ended, with its whole-run tally and times (monotonic nanoseconds), or
    /// the error that kept it from starting.
    func finish(total: LoadTally?, sentInTime: Int, abandoned: Int, sendingEnded: Int64, lastEnded: Int64, failure: HTTPError?) {
        let done = state.withLock { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
            if let total { state.total.merge(total) }
            state.sentInTime += sentInTime
            state.abandoned += abandoned
            state.sendingEnded = max(state.sendingEnded, sendingEnded)
            state.lastEnded = max(state.lastEnded, lastEnded)
            if state.failure == nil { state.failure = failure }
            state.finished += 1
            guard state.finished == workers else { return nil }
            while state.reported < state.windows.count {
                onSecond?(state.reported, state.windows[state.reported])
                state.reported += 1
            }
            let outcome = Outcome(
                windows: state.windows, total: state.total, sentInTime: state.sentInTime, abandoned: state.abandoned,
                sendingEnded: state.sendingEnded, lastEnded: state.lastEnded, failure: state.failure
            )
            guard let waiter = state.waiter else {
                state.outcome = outcome
                return nil
            }
            state.waiter = nil
            return (waiter, outcome)
        }
        if let (waiter, outcome) = done { waiter.resume(returning: outcome) }
    }

    /// Waits until every worker has finished.
    func outcome() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
