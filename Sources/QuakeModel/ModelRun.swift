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

    /// The decisions the Kubernetes and Karmada control planes take about pods while `plan`'s faults
    /// run, in time order: pods created (and where), ready, in or out of Envoy's endpoints, deleted.
    /// The pods placed at the start are not listed: `KubeScheduler` places them the same way for
    /// every target. The lab replays these on real processes.
    ///
    /// Simulated without the plan's traffic and probes (the control plane does not depend on them),
    /// so it costs only the control plane's events; random choices (heartbeat phases, which pods a
    /// pod-kill takes) come from `seed` but not in the same draws as a run with traffic.
    public static func controlPlaneChanges(_ plan: Plan, seed: UInt64? = nil) -> [ControlPlaneChange] {
        controlPlane(plan, seed: seed).changes
    }

    /// The control plane's decisions about pods (`controlPlaneChanges`) and the events it reports
    /// about nodes, zones, taints, clusters and bindings at the same times (NotReady, taints, Karmada
    /// evictions …), for a target that replays the model's control plane and reports it.
    public static func controlPlane(_ plan: Plan, seed: UInt64? = nil) -> (changes: [ControlPlaneChange], events: [TimelineEvent]) {
        var quiet = plan
        quiet.traffic = []
        quiet.probes = []
        var simulation = Simulation(plan: quiet, seed: seed ?? plan.seed, accessLog: nil)
        simulation.controlPlaneLog = []
        simulation.run(progress: nil)
        let kinds: Set<TimelineEvent.Kind> = [.nodeNotReady, .nodeReady, .taintAdded, .taintRemoved, .zoneStateChanged,
                                              .clusterNotReady, .clusterReady, .bindingEvicted, .replicasChanged]
        return (simulation.controlPlaneLog ?? [], simulation.timeline.events.filter { kinds.contains($0.kind) })
    }
}
