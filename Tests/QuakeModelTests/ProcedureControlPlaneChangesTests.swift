import QuakeCore
import QuakeModel
import Testing

/// A procedure's Karmada decisions are among the control-plane changes the lab replays: the
/// migration's evictions and replacements, and the rebalance that brings pods back.
@Suite struct ProcedureControlPlaneChangesTests {
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: canary-changes}
        topology:
          regions:
            r1:
              c1: {zones: {a: 2}}
              c2: {zones: {b: 2}}
        services:
          backend: {replicas: 4, serviceTime: 2ms, startupTime: 5s}
        placement:
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: PropagationPolicy
              metadata: {name: backend}
              spec:
                resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: backend}]
                placement:
                  clusterAffinity: {clusterNames: [c1, c2]}
                  replicaScheduling:
                    replicaSchedulingType: Divided
                    replicaDivisionPreference: Weighted
                    weightPreference:
                      staticWeightList:
                        - {targetCluster: {clusterNames: [c1]}, weight: 1}
                        - {targetCluster: {clusterNames: [c2]}, weight: 1}
        controlPlane:
          karmada: "1.13"
          karmadaFeatures: {failover: true}
        traffic:
          - {from: r1/c1/a, to: backend, rate: 10/s}
        schedule:
          duration: 5m
          procedures:
            - name: canary of c2
              at: 10s
              steps:
                - {step: migrate-workloads, cluster: c2, wait: 1m}
                - {step: upgrade, cluster: c2, takes: 30s}
                - {step: check, cluster: c2, timeout: 2m}
                - {step: restore-workloads, cluster: c2}
        """

    static func cluster(of change: ControlPlaneChange) -> String? {
        if case let .created(_, _, locality) = change.kind { return locality.cluster }
        return nil
    }

    @Test func theMigrationAndTheRebalanceArePodDecisions() throws {
        let plan = try ModelFixtures.plan(Self.yaml)
        let (changes, events) = ModelRun.controlPlane(plan)
        // The migration (10 s): c2's two pods are deleted once their replacements in c1 are created.
        let deleted = changes.filter { $0.kind == .deleted && $0.pod.hasPrefix("backend-c2-") }
        #expect(deleted.count == 2 && deleted.allSatisfy { (10...70) ~= $0.at.seconds }, "\(deleted)")
        let replacements = changes.filter { Self.cluster(of: $0) == "c1" && $0.at.seconds < 70 }
        #expect(replacements.count == 2, "\(replacements)")
        // The upgrade (70–100 s) and the check; then restore-workloads rebalances two pods back to c2.
        let back = changes.filter { Self.cluster(of: $0) == "c2" }
        #expect(back.count == 2 && back.allSatisfy { $0.at.seconds >= 100 }, "pods created in c2 after the upgrade and the check: \(back)")
        let added = changes.filter { $0.kind == .endpoint(added: true) && back.map(\.pod).contains($0.pod) }
        #expect(added.count == 2, "they join the endpoints: \(added)")
        #expect(events.contains { $0.kind == .taintRemoved && $0.subject == "c2" && $0.at.seconds >= 100 }, "the chaos taint is removed")
    }
}
