import QuakeCore
import Testing

/// Karmada cluster failover (SEMANTICS.md §2): talk-era timings and the ≥ 1.14 behaviour.
@Suite struct KarmadaFailoverTests {
    static func plan(karmada: String, failoverGate: Bool = true, extraManifest: String = "", seed: Int = 7) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: cluster-failure}
        topology:
          regions:
            region1:
              member1: {zones: {a: 3}}
              member2: {zones: {b: 3}}
        services:
          nginx: {replicas: 3, serviceTime: 2ms}
        placement:
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: PropagationPolicy
              metadata: {name: nginx-propagation}
              spec:
                resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]
                placement:
                  clusterAffinity: {clusterNames: [member1, member2]}
                  replicaScheduling:
                    replicaSchedulingType: Divided
                    replicaDivisionPreference: Weighted
                    weightPreference:
                      staticWeightList:
                        - {targetCluster: {clusterNames: [member1]}, weight: 1}
                        - {targetCluster: {clusterNames: [member2]}, weight: 2}
        \(extraManifest)
        controlPlane:
          karmada: "\(karmada)"
          karmadaFeatures: {failover: \(failoverGate)}
        traffic:
          - {from: region1/member2/b, to: nginx, rate: 10/s}
        schedule:
          duration: 20m
          faults:
            - {at: 1m, fault: cluster-outage, cluster: member1, for: 15m}
        seed: \(seed)
        """
    }

    @Test(arguments: [1, 2, 3])
    func talkEraReplicasLeaveAfterTenAndAHalfMinutesByWeight(seed: Int) throws {
        let timeline = try ModelFixtures.run(Self.plan(karmada: "1.13", seed: seed)).timeline
        let notReady = try #require(ModelFixtures.firstEvent(timeline, .clusterNotReady, subject: "member1"))
        #expect((60 + 30)...(60 + 40) ~= notReady, "Ready=False 30–40 s after the failure: \(notReady - 60) s")
        let noExecute = try #require(ModelFixtures.firstEvent(timeline, .taintAdded, subject: "member1", detail: "NoExecute"))
        #expect(noExecute - notReady == 300, "NoExecute 5 min after Ready=False")
        let evicted = try #require(ModelFixtures.firstEvent(timeline, .bindingEvicted))
        #expect(abs(evicted - 60 - 630) <= 10, "replicas leave ≈10.5 min after the failure, got \(evicted - 60) s")
        let moved = try #require(timeline.events.first { $0.kind == .replicasChanged })
        #expect(moved.detail == "member2 2→3", "static weights 1:2 send all 3 replicas to member2: \(moved.detail)")
        let last = timeline.windowCount - 1
        let member2 = try #require(timeline.replicas.first { $0.key.cluster == "member2" })
        #expect(member2.ready[last] == 3)
    }

    @Test func fromKarmada114WithoutATaintPolicyNothingMoves() throws {
        let timeline = try ModelFixtures.run(Self.plan(karmada: "1.14")).timeline
        #expect(ModelFixtures.firstEvent(timeline, .clusterNotReady, subject: "member1") != nil)
        #expect(ModelFixtures.firstEvent(timeline, .bindingEvicted) == nil)
        #expect(!timeline.events.contains { $0.kind == .taintAdded && $0.detail.contains("NoExecute") })
    }

    @Test func talkEraWithTheFailoverGateOffKeepsReplicas() throws {
        let timeline = try ModelFixtures.run(Self.plan(karmada: "1.13", failoverGate: false)).timeline
        #expect(ModelFixtures.firstEvent(timeline, .bindingEvicted) == nil)
    }

    @Test func aTaintPolicyWithEvictionOnMovesReplicasFrom114() throws {
        let policy = """
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: ClusterTaintPolicy
              metadata: {name: evict-not-ready}
              spec:
                targetClusters: {clusterNames: [member1]}
                addOnConditions: [{conditionType: Ready, operator: In, statusValues: ["False", "Unknown"]}]
                removeOnConditions: [{conditionType: Ready, operator: In, statusValues: ["True"]}]
                taints: [{key: not-ready, effect: NoExecute}]
        """
        let text = Self.plan(karmada: "1.15", extraManifest: policy).replacingOccurrences(of: "karmadaFeatures: {failover: true}", with: "karmadaFeatures: {failover: true, noExecuteTaintEviction: true}")
        let timeline = try ModelFixtures.run(text).timeline
        let notReady = try #require(ModelFixtures.firstEvent(timeline, .clusterNotReady, subject: "member1"))
        let evicted = try #require(ModelFixtures.firstEvent(timeline, .bindingEvicted))
        #expect(evicted - notReady < 5, "an untolerated NoExecute taint evicts at once")
    }
}
