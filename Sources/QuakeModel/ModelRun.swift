import QuakeCore

/// The `model` target: simulates a plan in virtual time and returns what it observed.
public enum ModelRun {
    /// What a simulation produced.
    public struct Result: Sendable {
        /// Per-window traffic, latencies, replicas and events.
        public var timeline: Timeline
        /// Every request simulated, downstream calls included.
        public var simulatedRequests: Int
    }

    /// Simulates `plan` with `seed` (the plan's seed if nil), writing access-log lines to `accessLog` if given.
    ///
    /// Cost: linear in the number of requests, with memory bounded by the number of windows, series and pods.
    /// `progress` is called with the simulated time about every 1 % of the run.
    public static func simulate(_ plan: Plan, seed: UInt64? = nil, accessLog: AccessLogSink? = nil, progress: ((TimeSpan) -> Void)? = nil) -> Result {
        var simulation = Simulation(plan: plan, seed: seed ?? plan.seed, accessLog: accessLog)
        simulation.run(progress: progress)
        return Result(timeline: simulation.timeline, simulatedRequests: simulation.requestCount)
    }
}
