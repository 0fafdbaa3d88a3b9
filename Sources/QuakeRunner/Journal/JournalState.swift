import QuakeCore

/// What a journal says is still in effect: read from its entries in order, so it holds after a
/// crash as well as after a normal end.
public struct JournalState: Sendable, Equatable {
    /// The run that wrote the journal (`nil` when its first line is missing).
    public var run: JournalRun?
    /// Every process started, in start order (a restarted pod appears once per start), with the
    /// PID, group and start time that identify it.
    public var started: [SupervisedProcess] = []
    /// Processes whose start was written but not confirmed (the run died in between): their PID
    /// is unknown, so they can only be found by their command line.
    public var unconfirmed: [SupervisedProcess] = []
    /// A fault injected (or half-injected) and not confirmed reverted.
    public struct ActiveFault: Sendable, Equatable {
        /// Its index in the plan's schedule.
        public var index: Int
        /// What it is, for people.
        public var description: String
        /// What undoes each change made (or about to be made) for it, in order (JSON, as the
        /// target wrote it); empty for a target whose faults live in processes it started.
        public var changes: [String] = []
    }

    /// Faults injected (or half-injected) and not confirmed reverted, in injection order.
    public var activeFaults: [ActiveFault] = []
    /// How the run ended, or `nil` while it is unfinished.
    public var ended: String?

    /// The state after `entries`.
    public init(_ entries: [JournalEntry]) {
        for entry in entries { apply(entry) }
    }

    /// Whether the run wrote its end (everything it started is gone).
    public var isFinished: Bool { ended != nil }

    private mutating func apply(_ entry: JournalEntry) {
        switch entry.event {
        case let .began(run):
            self.run = run
        case let .processStarting(process):
            unconfirmed.append(process)
        case let .processStarted(process):
            if let i = unconfirmed.firstIndex(where: { $0.name == process.name && $0.arguments == process.arguments }) {
                unconfirmed.remove(at: i)
            }
            started.append(process)
        case let .faultInjecting(index, description):
            if !activeFaults.contains(where: { $0.index == index }) { activeFaults.append(ActiveFault(index: index, description: description)) }
        case let .changeMaking(index, change):
            if let i = activeFaults.firstIndex(where: { $0.index == index }) { activeFaults[i].changes.append(change) }
        case .faultInjected, .faultReverting:
            break
        case let .faultReverted(index):
            activeFaults.removeAll { $0.index == index }
        case let .ended(status):
            ended = status
        }
    }
}
