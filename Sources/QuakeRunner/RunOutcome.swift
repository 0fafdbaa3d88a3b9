import QuakeCore

/// What a run on a live target produced.
public struct RunOutcome: Sendable {
    /// Everything observed, with the Runner's fault events added at the times they took effect.
    public var timeline: Timeline
    /// What ended the run early (a stop condition or the kill switch) and when, if anything did.
    public var abort: RunAbort?
    /// Faults that could not be reverted (each a sentence naming the fault and the error); empty
    /// when the target is back as it was.
    public var revertFailures: [String]

    /// An outcome from its parts.
    public init(timeline: Timeline, abort: RunAbort? = nil, revertFailures: [String] = []) {
        self.timeline = timeline
        self.abort = abort
        self.revertFailures = revertFailures
    }
}
