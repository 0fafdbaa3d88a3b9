/// One thing the Runner does at a time of the experiment: inject or revert a fault, or perform a
/// procedure step.
public struct RunAction: Sendable, Equatable {
    /// What to do.
    public enum Kind: Sendable, Equatable {
        /// Inject fault `index` of the schedule.
        case inject(Int)
        /// Revert fault `index` of the schedule.
        case revert(Int)
        /// Perform step `step` of procedure `procedure`.
        case step(procedure: Int, step: Int)
    }

    /// When, from the start of the experiment.
    public var at: TimeSpan
    /// What.
    public var kind: Kind

    /// An action from its parts.
    public init(at: TimeSpan, kind: Kind) {
        self.at = at
        self.kind = kind
    }

    /// Every action of `schedule` in the order to perform them: by time, then reverts before
    /// injections (a fault that ends as another starts is gone first), then in plan order. A fault
    /// still active at the end is not reverted here: the Runner reverts whatever is left.
    public static func actions(of schedule: Schedule) -> [RunAction] {
        var actions: [(action: RunAction, rank: Int, order: Int)] = []
        for (i, fault) in schedule.faults.enumerated() where fault.at < schedule.duration {
            actions.append((RunAction(at: fault.at, kind: .inject(i)), 1, i))
            let end = fault.end(experimentDuration: schedule.duration)
            if end < schedule.duration { actions.append((RunAction(at: end, kind: .revert(i)), 0, i)) }
        }
        for (p, procedure) in schedule.procedures.enumerated() {
            for (s, start) in procedure.stepStarts.enumerated() where start < schedule.duration {
                actions.append((RunAction(at: start, kind: .step(procedure: p, step: s)), 2, actions.count))
            }
        }
        return actions.sorted { a, b in
            if a.action.at != b.action.at { return a.action.at < b.action.at }
            if a.rank != b.rank { return a.rank < b.rank }
            return a.order < b.order
        }.map(\.action)
    }
}
