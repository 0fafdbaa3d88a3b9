import QuakeCore
import QuakeModel
import Testing

/// A plan compressed by `Plan.scaled(by:)`, as the lab runs it with `--time-scale 0.05`: the model's
/// Kubernetes and Karmada act on it at 0.05× the delays of the plan as written, counted from the
/// faults (the schedule itself runs in real time).
@Suite struct TimeScaleTests {
    static let scale = 0.05
    /// When both faults start, in seconds.
    static let faultAt = 60.0

    /// Karmada 1.15 with a ClusterTaintPolicy that taints a failed cluster `not-ready:NoExecute`,
    /// tolerated 60 s by nginx's PropagationPolicy (which also has application failover); member1 is
    /// lost and a node of member2 crashes at 1 min, both until the end.
    static let text = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: time-scale}
        topology:
          regions:
            region1:
              member1: {zones: {a: 3}}
              member2: {zones: {b: 3}}
        services:
          nginx: {replicas: 4, serviceTime: 2ms, startupTime: 20s}
        placement:
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: PropagationPolicy
              metadata: {name: nginx-propagation}
              spec:
                resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]
                placement:
                  clusterAffinity: {clusterNames: [member1, member2]}
                  clusterTolerations:
                    - {key: not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
                failover:
                  application:
                    decisionConditions: {tolerationSeconds: 120}
                    purgeMode: Gracefully
                    gracePeriodSeconds: 600
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: ClusterTaintPolicy
              metadata: {name: evict-not-ready}
              spec:
                addOnConditions: [{conditionType: Ready, operator: In, statusValues: ["False", "Unknown"]}]
                removeOnConditions: [{conditionType: Ready, operator: In, statusValues: ["True"]}]
                taints: [{key: not-ready, effect: NoExecute}]
        controlPlane:
          karmada: "1.15"
          karmadaFeatures: {failover: true, noExecuteTaintEviction: true}
        traffic:
          - {from: region1/member2/b, to: nginx, rate: 20/s}
        schedule:
          duration: 15m
          faults:
            - {at: 1m, fault: cluster-outage, cluster: member1}
            - {at: 1m, fault: node-crash, node: member2-b-1}
        seed: 5
        """

    /// The control-plane events a report lists (faults and Envoy's ejections excluded).
    static let controlPlaneKinds: Set<TimelineEvent.Kind> = [
        .nodeNotReady, .nodeReady, .taintAdded, .taintRemoved, .zoneStateChanged, .endpointsDropped, .endpointsAdded,
        .podEvicted, .podCreated, .podReady, .podKilled, .clusterNotReady, .clusterReady, .bindingEvicted, .replicasChanged,
    ]

    /// One tick of the compressed model: the node monitor period (5 s) at the time scale.
    static let tick = 5 * scale

    /// Where `at` (seconds) of the plan as written falls on the compressed plan's run.
    static func compressed(_ at: Double) -> Double { faultAt + (at - faultAt) * scale }

    @Test func controlPlaneEventsComeAtTheTimeScaleOfTheirDelays() throws {
        let plan = try ModelFixtures.plan(Self.text)
        let scaled = plan.scaled(by: Self.scale)
        #expect(scaled.propagationPolicies.first?.clusterTolerations.first?.tolerationSeconds == .seconds(3))
        #expect(scaled.propagationPolicies.first?.failover?.applicationTolerationSeconds == .seconds(6))
        #expect(scaled.propagationPolicies.first?.failover?.applicationGracePeriodSeconds == .seconds(30))
        let real = ModelRun.simulate(plan).timeline.events.filter { Self.controlPlaneKinds.contains($0.kind) }
        let fast = ModelRun.simulate(scaled).timeline.events.filter { Self.controlPlaneKinds.contains($0.kind) }

        let kinds = Set(real.map(\.kind))
        for kind: TimelineEvent.Kind in [.nodeNotReady, .taintAdded, .endpointsDropped, .podEvicted, .podCreated, .podReady, .clusterNotReady, .bindingEvicted, .replicasChanged] {
            #expect(kinds.contains(kind), "the plan as written shows \(kind.rawValue)")
        }
        try #require(fast.count == real.count, "the same events: \(real.count) as written, \(fast.count) compressed")
        for (r, f) in zip(real, fast) {
            #expect(f.kind == r.kind && f.subject == r.subject, "same event in the same order: \(r) / \(f)")
            #expect(abs(f.at.seconds - Self.compressed(r.at.seconds)) <= Self.tick, "\(r) as written comes at \(f.at) compressed, not \(Self.compressed(r.at.seconds))s")
        }

        // The policy's 60 s toleration of the ClusterTaintPolicy's taint is 3 s at 0.05.
        func toleration(_ events: [TimelineEvent]) throws -> Double {
            let tainted = try #require(events.first { $0.kind == .taintAdded && $0.subject == "member1" && $0.detail.contains("NoExecute") })
            let evicted = try #require(events.first { $0.kind == .bindingEvicted })
            return evicted.at.seconds - tainted.at.seconds
        }
        #expect(try toleration(real) == 60)
        #expect(try toleration(fast) == 3)
    }

    @Test func theLabReplaysPodDecisionsAtTheTimeScale() throws {
        let plan = try ModelFixtures.plan(Self.text)
        let real = ModelRun.controlPlaneChanges(plan)
        let fast = ModelRun.controlPlaneChanges(plan.scaled(by: Self.scale))
        #expect(real.contains { if case .created = $0.kind { return true }; return false })
        #expect(real.contains { $0.kind == .ready } && real.contains { $0.kind == .deleted })
        try #require(fast.count == real.count)
        for (r, f) in zip(real, fast) {
            #expect(f.pod == r.pod && f.kind == r.kind, "same decision: \(r) / \(f)")
            #expect(abs(f.at.seconds - Self.compressed(r.at.seconds)) <= Self.tick, "\(r) as written comes at \(f.at) compressed")
        }
    }
}
