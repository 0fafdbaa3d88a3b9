import QuakeCore

/// When a probe checks and which Timeline window each check counts in — the model's rule, so a
/// real run is scored like a model run: check k (k = 1, 2, …) at `k × interval` from the start,
/// while that is before the end, counted in the window its start falls in (the last window
/// takes anything past it). Pure.
public struct ProbeSchedule: Sendable, Equatable {
    /// Time between checks; the first check is one interval after the start.
    public var interval: TimeSpan
    /// How long the run lasts; no check starts at or after it.
    public var duration: TimeSpan
    /// The Timeline window.
    public var window: TimeSpan
    /// How many windows the Timeline has.
    public var windowCount: Int

    /// A schedule for a run of `duration` observed in windows of `window`; the window count is
    /// the model's, `duration / window` rounded up and at least 1. Both spans must be positive.
    public init(interval: TimeSpan, duration: TimeSpan, window: TimeSpan) {
        precondition(interval.microseconds > 0 && window.microseconds > 0, "a probe schedule needs a positive interval and window")
        self.interval = interval
        self.duration = duration
        self.window = window
        windowCount = Self.windowCount(duration: duration, window: window)
    }

    /// The model's window count for a run: `duration / window` rounded up, at least 1.
    public static func windowCount(duration: TimeSpan, window: TimeSpan) -> Int {
        precondition(window.microseconds > 0, "a timeline needs a positive window")
        return max(1, Int((duration.microseconds + window.microseconds - 1) / window.microseconds))
    }

    /// The start offset of check `k`, counting from 1.
    public func offset(ofCheck k: Int) -> TimeSpan {
        interval * Int64(k)
    }

    /// How many checks the run makes.
    public var checkCount: Int {
        duration.microseconds <= 0 ? 0 : Int((duration.microseconds - 1) / interval.microseconds)
    }

    /// The window a check starting at `offset` counts in.
    public func window(at offset: TimeSpan) -> Int {
        min(windowCount - 1, max(0, Int(offset.microseconds / window.microseconds)))
    }
}
