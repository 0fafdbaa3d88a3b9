import QuakeCore

/// One probe check as it happened: which probe, when it started, the window it counts in, its
/// verdict and how long it took.
public struct ProbeCheck: Sendable, Equatable {
    /// The probe's name.
    public var probe: String
    /// When the check started, from the start of the run (its scheduled instant).
    public var offset: TimeSpan
    /// The Timeline window it counts in.
    public var window: Int
    /// Whether it passed, and why not.
    public var verdict: ProbeVerdict
    /// How long the request took on the wall clock, from sending to the answer or the error.
    public var latency: Duration

    /// A check from its parts.
    public init(probe: String, offset: TimeSpan, window: Int, verdict: ProbeVerdict, latency: Duration) {
        self.probe = probe
        self.offset = offset
        self.window = window
        self.verdict = verdict
        self.latency = latency
    }
}
