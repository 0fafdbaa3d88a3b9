import QuakeCore

/// How far behind its plan the lab's control plane fell: the change applied latest after it was
/// due. A busy machine delays the lab's own task; the run says so rather than let a late endpoint
/// change pass for the system's behaviour.
struct ControlPlaneLag {
    /// How late a change may be applied before the run warns: scheduling noise, not a finding.
    static let tolerable = TimeSpan.milliseconds(250)

    private(set) var worst: (lag: TimeSpan, change: ControlPlaneChange)?

    /// Notes that `change` was applied at `appliedAt` (from the start of the run).
    mutating func record(_ change: ControlPlaneChange, appliedAt: TimeSpan) {
        let lag = appliedAt - change.at
        if lag > (worst?.lag ?? Self.tolerable) { worst = (lag, change) }
    }

    /// The run's warning, when a change came later than ``tolerable``.
    var warning: String? {
        worst.map { "the lab applied a control-plane change \($0.lag) after it was due (\($0.change)): the machine was too busy to keep the plan's timing, so this run's recovery times are that much less faithful" }
    }
}
