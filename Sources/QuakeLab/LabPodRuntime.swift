import QuakeCore

/// What the lab knows of one pod while a run lasts: where it is, its process, and the control
/// plane's view of it.
struct LabPodRuntime: Sendable {
    /// Its place and port.
    var pod: LabLayout.Pod
    /// Its process, while one runs (nil once killed or deleted, or while its node is down).
    var process: SupervisedProcess?
    /// Whether the control plane considers it ready (readiness probe passed).
    var ready: Bool
    /// Whether Envoy's endpoints hold it.
    var inEndpoints: Bool
    /// Whether the control plane deleted it (its process is gone for good).
    var deleted = false
    /// Whether its process is stopped (SIGSTOP: its node hangs).
    var stopped = false
    /// When its process listens (run time): later than now while a pod restarted after its node's
    /// crash waits out its start-up time.
    var listensAt: TimeSpan = .zero
}
