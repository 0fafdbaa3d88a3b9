/// Why and when a run ended before its schedule did: a stop condition of the plan, or the
/// machine's kill switch (`quake abort`). Either way every fault was reverted first.
public struct RunAbort: Sendable, Equatable, CustomStringConvertible {
    /// What ended the run.
    public enum Cause: Sendable, Equatable {
        /// A stop condition of the plan tripped.
        case stopCondition(StopCondition)
        /// Someone engaged the kill switch, with the reason they gave.
        case killSwitch(String)
    }

    /// What ended the run.
    public var cause: Cause
    /// When, from the start of the schedule.
    public var at: TimeSpan

    /// An abort from its parts.
    public init(cause: Cause, at: TimeSpan) {
        self.cause = cause
        self.at = at
    }

    /// The cause as people read it: "the stop condition `…`" or "the kill switch (…)".
    public var description: String {
        switch cause {
        case let .stopCondition(condition): return "the stop condition `\(condition)`"
        case let .killSwitch(reason): return "the kill switch (\(reason))"
        }
    }
}
