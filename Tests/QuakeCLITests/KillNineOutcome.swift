/// What a lab left on the machine: its live processes (pods, Envoys and their shells, Prometheus),
/// how many of them are stopped, and the fault keys its Envoy's runtime holds.
struct LabLeftovers: Sendable, CustomStringConvertible {
    var live: Int
    var stopped: Int
    var faultKeys: [String]

    var isEmpty: Bool { live == 0 && stopped == 0 && faultKeys.isEmpty }

    var description: String { "\(live) live, \(stopped) stopped, fault keys [\(faultKeys.joined(separator: ", "))]" }
}

/// One run killed with `SIGKILL` and rolled back: when and where it died, what it left before
/// `quake rollback` and after, and what was wrong.
struct KillNineOutcome: Sendable {
    /// Its number among the test's runs.
    var index: Int
    /// How long after its launch it was killed.
    var instant: Duration
    /// Where it was, by its journal.
    var phase: KillPhase
    /// Whether it died between writing a process's start and its PID.
    var unconfirmedStart: Bool
    /// What the kill left.
    var before: LabLeftovers
    /// What rollback left (must be nothing).
    var after: LabLeftovers
    /// Each check that failed, for people.
    var problems: [String]
}
