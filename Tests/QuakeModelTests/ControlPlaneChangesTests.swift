import QuakeCore
import QuakeModel
import Testing

/// The control plane's pod decisions that the lab replays (`ModelRun.controlPlaneChanges`).
@Suite struct ControlPlaneChangesTests {
    @Test func aCrashedNodesPodsLeaveTheEndpointsThenAreReplacedElsewhere() throws {
        let plan = try ModelFixtures.plan(NodeLifecycleTests.nodeCrashPlan(kubernetes: "1.32", seed: 3))
        let changes = ModelRun.controlPlaneChanges(plan)
        let onNode = Set(changes.compactMap { change -> String? in
            if case let .created(_, node, _) = change.kind, node == "cluster1-a-1" { return change.pod }
            return nil
        })
        #expect(onNode.isEmpty, "nothing is placed on the crashed node")
        // The crashed node held one of the 6 pods (kube-scheduler spreads them over 6 nodes).
        let dropped = changes.filter { $0.kind == .endpoint(added: false) }
        try #require(dropped.count == 1)
        #expect(abs(dropped[0].at.seconds - 60 - 50) <= 10, "endpoint dropped ≈ grace after the crash, at \(dropped[0].at)")
        let deleted = try #require(changes.first { $0.kind == .deleted })
        #expect(deleted.pod == dropped[0].pod)
        #expect(deleted.at.seconds - dropped[0].at.seconds > 290, "deleted after the 300 s toleration")
        let created = try #require(changes.first { if case .created = $0.kind { return true }; return false })
        guard case let .created(service, node, locality) = created.kind else { return }
        #expect(service == "svc" && node != "cluster1-a-1" && locality.cluster == "cluster1")
        #expect(created.at == deleted.at, "a Deployment replaces a deleted pod at once")
        let ready = try #require(changes.first { $0.pod == created.pod && $0.kind == .ready })
        let added = try #require(changes.first { $0.pod == created.pod && $0.kind == .endpoint(added: true) })
        #expect(created.at < ready.at && ready.at < added.at, "created, then ready, then in the endpoints")
    }

    @Test func scaledTimingsMoveTheDecisionsEarlier() throws {
        var plan = try ModelFixtures.plan(NodeLifecycleTests.nodeCrashPlan(kubernetes: "1.32", seed: 3))
        let normal = try #require(ModelRun.controlPlaneChanges(plan).first { $0.kind == .deleted })
        plan.controlPlane.timings = plan.controlPlane.timings.scaled(by: 0.1)
        let fast = try #require(ModelRun.controlPlaneChanges(plan).first { $0.kind == .deleted })
        // 50 s grace + 300 s toleration after the crash at 60 s become 5 s + 30 s.
        #expect(abs((normal.at.seconds - 60) / 10 - (fast.at.seconds - 60)) <= 2, "\(normal.at) at full speed, \(fast.at) at 0.1")
    }
}
