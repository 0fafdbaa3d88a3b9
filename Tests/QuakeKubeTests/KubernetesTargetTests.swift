import Foundation
import QuakeCore
import QuakeKube
import QuakePlan
import QuakeTestSupport
import Synchronization
import Testing

/// The kubernetes target's calls for a node crash, as the wire sees them: the nodes read once,
/// the change journaled before the PATCH that makes it, the revert's PATCH and its confirmation.
/// (A loopback server answers for one node whose taint the patches add and remove.)
@Suite(.timeLimit(.minutes(1))) struct KubernetesTargetTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kube-node}
        topology:
          regions:
            eu:
              member1: {zones: {eu-1a: 1, eu-1b: 1}}
        services:
          web: {replicas: 2, serviceTime: 1ms}
        schedule:
          duration: 30s
          faults:
            - {at: 5s, fault: node-crash, node: member1-eu-1a-1, for: 10s}
        """

    @Test func aNodeCrashTaintsAndCordonsTheRealNodeAndTheRevertTakesExactlyThatAway() async throws {
        let plan = try PlanLoader.load(text: Self.plan, file: "kube.yaml").plan
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            let system = KubeSystemFixture.single(plan: plan, server: "http://127.0.0.1:\(server.port)")
            let journaled = Mutex<[String]>([])
            let target = try KubernetesTarget(plan: plan, system: system, run: "run-1") { index, change in
                journaled.withLock { $0.append("\(index) \(change)") }
            }
            try await target.prepare()
            try await target.inject(plan.schedule.faults[0], index: 0)
            #expect(node.tainted.withLock { $0 })
            let recorded = journaled.withLock { $0 }
            #expect(recorded == [#"0 {"on":"member1","taint":{"cordoned":true,"path":"/api/v1/nodes/ip-a","taints":[{"effect":"NoExecute","key":"quake.io/chaos","value":"run-1"}]}}"#])
            let patch = try #require(server.requests.first { $0.method == "PATCH" })
            #expect(patch.header("Content-Type") == "application/json-patch+json")
            #expect(String(decoding: patch.body, as: UTF8.self) == #"[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/spec/taints","value":[{"effect":"NoExecute","key":"quake.io/chaos","value":"run-1"}]},{"op":"add","path":"/spec/unschedulable","value":true}]"#)

            try await target.revert(plan.schedule.faults[0], index: 0)
            #expect(!node.tainted.withLock { $0 })
            // (The informer's list and watch of the nodes run alongside.)
            let calls = server.requests.filter { $0.path.hasPrefix("/api/v1/nodes/") }.map { "\($0.method) \($0.path)" }
            #expect(calls == ["GET /api/v1/nodes/ip-a", "PATCH /api/v1/nodes/ip-a", "GET /api/v1/nodes/ip-a", "PATCH /api/v1/nodes/ip-a", "GET /api/v1/nodes/ip-a"], "the revert reads the node, patches, and reads it back to confirm")
            let revert = try #require(server.requests.last { $0.method == "PATCH" })
            #expect(String(decoding: revert.body, as: UTF8.self) == #"[{"op":"test","path":"/spec/taints/0/key","value":"quake.io/chaos"},{"op":"remove","path":"/spec/taints/0"},{"op":"replace","path":"/spec/unschedulable","value":false}]"#)
            try await target.revert(plan.schedule.faults[0], index: 0)
            #expect(server.requests.filter { $0.method == "PATCH" }.count == 2, "a second revert has nothing left to do")
            await target.teardown()
        }
    }

    /// `nodeFault: drain`: a cordon, then an eviction per pod as kubectl drain picks them; a
    /// PodDisruptionBudget's 429 is a warning, not forced; the revert uncordons.
    @Test func aDrainCordonsAndEvictsEachPodAndReportsARefusal() async throws {
        let plan = try PlanLoader.load(text: Self.plan + "\ntarget: {kubernetes: {nodeFault: drain}}\n", file: "kube.yaml").plan
        let node = LoopbackKubeNode()
        let pods = #"{"items":[{"metadata":{"name":"web-1","namespace":"shop","ownerReferences":[{"kind":"ReplicaSet"}]}},{"metadata":{"name":"logs-x","namespace":"kube-system","ownerReferences":[{"kind":"DaemonSet"}]}},{"metadata":{"name":"db-0","namespace":"shop","ownerReferences":[{"kind":"StatefulSet"}]}}]}"#
        try await LoopbackHTTPServer.with({ request in
            switch (request.method, request.path) {
            case ("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dip-a"): return .respond(LoopbackHTTPResponse(text: pods))
            case ("POST", "/api/v1/namespaces/shop/pods/web-1/eviction"): return .respond(LoopbackHTTPResponse(status: 201, text: #"{"kind":"Status","status":"Success"}"#))
            case ("POST", "/api/v1/namespaces/shop/pods/db-0/eviction"):
                return .respond(LoopbackHTTPResponse(status: 429, text: #"{"kind":"Status","status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","code":429}"#))
            default: return node.answer(request)
            }
        }) { server in
            let target = try KubernetesTarget(plan: plan, system: KubeSystemFixture.single(plan: plan, server: "http://127.0.0.1:\(server.port)"), run: "run-1") { _, _ in }
            try await target.prepare()
            try await target.inject(plan.schedule.faults[0], index: 0)
            let cordon = try #require(server.requests.first { $0.method == "PATCH" })
            #expect(String(decoding: cordon.body, as: UTF8.self) == #"[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/spec/unschedulable","value":true}]"#, "a cordon, no taint")
            let evictions = server.requests.filter { $0.method == "POST" }
            #expect(evictions.map(\.path) == ["/api/v1/namespaces/shop/pods/web-1/eviction", "/api/v1/namespaces/shop/pods/db-0/eviction"], "the DaemonSet's pod stays")
            #expect(String(decoding: evictions[0].body, as: UTF8.self) == #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-1","namespace":"shop"}}"#)
            let timeline = try await target.observe(through: 0)
            #expect(timeline.events.contains { $0.kind == .podEvicted && $0.subject == "shop/web-1" })
            #expect(timeline.warnings.contains { $0.contains("shop/db-0") && $0.contains("disruption budget") && $0.contains("not forced") }, "\(timeline.warnings)")
            await target.teardown()
        }
    }

    @Test func faultsTheAPICannotMakeAreRefusedBeforeAnythingRuns() throws {
        let hang = try PlanLoader.load(text: Self.plan.replacingOccurrences(of: "fault: node-crash", with: "fault: node-hang"), file: "kube.yaml").plan
        let error = #expect(throws: KubeError.self) { try KubernetesTarget(plan: hang, system: KubeSystemFixture.single(plan: hang, server: "http://127.0.0.1:1"), run: "r") { _, _ in } }
        #expect(error?.message.contains("needs the node itself") == true)
    }
}

/// A one-cluster system on a plain-HTTP loopback server.
enum KubeSystemFixture {
    static func single(plan: Plan, server: String) -> KubeSystem {
        var system = KubeSystem(karmada: nil, members: [:])
        system.members[plan.topology.clusters[0].name] = KubeConnection(context: "test", server: server, authorization: .token("t"), user: "ops")
        return system
    }
}

/// What the clusters show, as timeline events: Ready transitions and taints, from the informers'
/// changes.
@Suite struct KubeObserverTests {
    static func node(_ ready: String, reason: String? = nil, taints: [String] = [], version: Int) -> KubeInformer.Change {
        var condition: [String: KubeJSON] = ["type": "Ready", "status": .string(ready)]
        if let reason { condition["reason"] = .string(reason) }
        return KubeInformer.Change(type: "MODIFIED", object: [
            "metadata": ["name": "ip-a", "resourceVersion": .string(String(version))],
            "spec": ["taints": .array(taints.map { ["key": .string($0), "effect": "NoExecute"] })],
            "status": ["conditions": [.object(condition)]],
        ])
    }

    @Test func readyTransitionsAndTaintsBecomeEvents() {
        let observer = KubeObserver()
        observer.apply(Self.node("True", version: 1), server: "member1", source: .nodes, at: .seconds(0))
        observer.apply(Self.node("True", taints: ["quake.io/chaos"], version: 2), server: "member1", source: .nodes, at: .seconds(5))
        observer.apply(Self.node("Unknown", reason: "NodeStatusUnknown", taints: ["quake.io/chaos", "node.kubernetes.io/unreachable"], version: 3), server: "member1", source: .nodes, at: .seconds(45))
        observer.apply(Self.node("True", version: 4), server: "member1", source: .nodes, at: .seconds(60))
        #expect(observer.events.map { "\($0.at) \($0.kind.rawValue) \($0.subject) \($0.detail)" } == [
            "5s taint-added ip-a (member1) quake.io/chaos:NoExecute",
            "45s node-not-ready ip-a (member1) Ready=Unknown (NodeStatusUnknown)",
            "45s taint-added ip-a (member1) node.kubernetes.io/unreachable:NoExecute",
            "1m node-ready ip-a (member1) Ready=True",
            "1m taint-removed ip-a (member1) node.kubernetes.io/unreachable:NoExecute",
            "1m taint-removed ip-a (member1) quake.io/chaos:NoExecute",
        ])
    }
}
