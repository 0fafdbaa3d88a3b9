import Foundation

/// What a load did: the whole run's tally, one tally per second, how long it took and the
/// processor time it cost. Seconds count from the load's start; a request is counted in the
/// second it ended (latency, status, failure) or left (sent, late, unsent).
public struct LoadResult: Sendable {
    /// The load that was run, with the number of workers that ran it (never more than the
    /// connections or in-flight slots to share).
    public let configuration: LoadConfiguration
    /// When the load started.
    public let started: Date
    /// The whole run.
    public let total: LoadTally
    /// Second by second: `windows[i]` covers seconds `i` to `i + 1` after the start.
    public let windows: [LoadTally]
    /// Requests sent before ``sendingTime`` was up; late ones still waiting for the in-flight
    /// cap then are sent after (and counted in ``LoadTally/sent``), but not here.
    public let sentWhileSending: Int
    /// How long requests were sent for: the duration, or less when the load was stopped.
    public let sendingTime: Duration
    /// From the start until the last request ended.
    public let elapsed: Duration
    /// Requests that were in flight when the load was stopped, and never ended.
    public let abandoned: Int
    /// Whether the load was stopped (or its task cancelled) before its duration was up.
    public let stoppedEarly: Bool
    /// The processor time Quake used while the load ran.
    public let cpu: LoadCPUUsage

    /// A result from its parts.
    public init(
        configuration: LoadConfiguration, started: Date, total: LoadTally, windows: [LoadTally],
        sentWhileSending: Int, sendingTime: Duration, elapsed: Duration, abandoned: Int, stoppedEarly: Bool, cpu: LoadCPUUsage
    ) {
        self.configuration = configuration
        self.started = started
        self.total = total
        self.windows = windows
        self.sentWhileSending = sentWhileSending
        self.sendingTime = sendingTime
        self.elapsed = elapsed
        self.abandoned = abandoned
        self.stoppedEarly = stoppedEarly
        self.cpu = cpu
    }

    /// Requests sent per second while sending: the rate achieved, to compare with the target.
    public var sentPerSecond: Double {
        let seconds = sendingTime / .seconds(1)
        return seconds > 0 ? Double(sentWhileSending) / seconds : 0
    }

    /// Requests ended (answered or failed) per second over the whole run: the throughput.
    public var completedPerSecond: Double {
        let seconds = elapsed / .seconds(1)
        return seconds > 0 ? Double(total.completed) / seconds : 0
    }

    /// How far the achieved rate is from the target, as a fraction (`-0.01` is 1 % short): the
    /// requests sent while sending against those the schedule called for in that time (the rate
    /// times the time, or less during a ramp); nil in closed loop.
    public var rateError: Double? {
        guard let called = configuration.scheduledRequests(in: sendingTime), called > 0 else { return nil }
        return Double(sentWhileSending) / called - 1
    }

    /// Requests the schedule called for: sent, or given up unsent.
    public var scheduled: Int { total.sent + total.unsent }
}
