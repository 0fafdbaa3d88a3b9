import Foundation
import QuakeCore
import QuakeKube
import QuakePlan
import QuakeTestSupport
import Synchronization
import Testing

/// The kubernetes target with two members reached only through Karmada's cluster proxy
/// (`viaKarmada: true`) on the API-server double, as the user docs/rbac allows: Karmada checks
/// `clusters/proxy`, each member decides as the impersonated user with the member role. Every
/// fault and its revert as the member and Karmada objects show them, a drain's evictions, a
/// rollback after a crash, and the members' node events in the timeline, which come from watches
/// through the proxy.
@Suite(.timeLimit(.minutes(2))) struct KubeProxyTargetTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kube-proxy}
        topology:
          regions:
            region-1:
              member1: {zones: {zone-a: 2, zone-b: 1}}
            region-2:
              member2: {zones: {zone-c: 2, zone-d: 1}}
        services:
          reviews: {replicas: 2, serviceTime: 1ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: reviews, namespace: default}
              spec:
                hosts: [reviews]
                http:
                  - route: [{destination: {host: reviews, subset: v1}, weight: 100}]
        safety: {allowWholeRegion: true, allowAllClusters: true}
        schedule:
          duration: 60s
          faults:
            - {at: 5s, fault: zone-outage, zone: region-2/member2/zone-c, for: 10s}
            - {at: 20s, fault: cluster-outage, cluster: member1, for: 10s}
            - {at: 40s, fault: http-abort, service: reviews, status: 503, percentage: 50%, for: 10s}
        target:
          kubernetes:
            karmadaContext: kube-api-double
            nodeFault: NODE_FAULT
            clusters:
              member1: {viaKarmada: true}
              member2: {viaKarmada: true}
        """

    /// Quake on Karmada: the Karmada role (`clusters/proxy` included) and nothing else.
    static let quakeOnKarmada = KubeAPIUser(name: "quake", credential: .token("quake-token"), allowed: KubeDoubleTargetTests.rbacRules(["quake-karmada.yaml"]))
    /// Quake on each member, as the proxy impersonates it: the member role.
    static let quakeOnMember = KubeAPIUser(name: "quake", credential: .token("unused-on-members"), allowed: KubeDoubleTargetTests.rbacRules(["quake-member.yaml"]))

    /// Runs `body` with Karmada (the Clusters, the VirtualService) proxying to member1 (a1, a2,
    /// b1) and member2 (c1, c2, d1), and a target whose system comes from the plan and Quake's
    /// kubeconfig for Karmada alone.
    static func withTarget(nodeFault: String = "taint", _ body: (KubeAPIServer, [String: KubeAPIServer], KubernetesTarget, Plan, borrowing Mutex<[String]>) async throws -> Void) async throws {
        let plan = try PlanLoader.load(text: Self.plan.replacingOccurrences(of: "NODE_FAULT", with: nodeFault), file: "kube-proxy.yaml").plan
        try await KubeAPIServer.withKarmada(users: [.admin, quakeOnKarmada], members: ["member1", "member2"], memberUsers: [.admin, quakeOnMember],
                                            regions: ["member1": "region-1", "member2": "region-2"]) { karmada, members in
            try karmada.seed(KubeAPIObjects.virtualService("reviews", host: "reviews", routes: [("v1", 100)]))
            for (cluster, nodes) in [("member1", [("a1", "zone-a"), ("a2", "zone-a"), ("b1", "zone-b")]), ("member2", [("c1", "zone-c"), ("c2", "zone-c"), ("d1", "zone-d")])] {
                for (name, zone) in nodes { try #require(members[cluster]).seed(KubeAPIObjects.node(name, zone: zone)) }
            }
            let system = try KubeSystem(plan: plan, kubeconfig: try Kubeconfig.load(paths: [try karmada.kubeconfig(user: "quake")]))
            #expect(system.members["member2"]?.server == karmada.clusterProxyURL("member2"))
            let journaled = Mutex<[String]>([])
            let target = try KubernetesTarget(plan: plan, system: system, run: "run-7", timeout: .seconds(30)) { _, change in
                journaled.withLock { $0.append(change) }
            }
            try await target.whilePrepared { try await body(karmada, members, target, plan, journaled) }
        }
    }

    static func node(_ members: [String: KubeAPIServer], _ cluster: String, _ name: String) -> (taints: [String], cordoned: Bool) {
        let node = members[cluster]?.object(.nodes, name)
        return (KubeDoubleTargetTests.taints(node), node?[path: ["spec", "unschedulable"]].bool == true)
    }

    @Test func everyFaultAndItsRevertThroughTheProxy() async throws {
        try await Self.withTarget { karmada, members, target, plan, _ in
            try await target.inject(plan.schedule.faults[0], index: 0)
            for name in ["c1", "c2"] {
                #expect(Self.node(members, "member2", name) == (["quake.io/chaos:NoExecute"], true), "\(name)")
            }
            for (cluster, name) in [("member2", "d1"), ("member1", "a1"), ("member1", "a2"), ("member1", "b1")] {
                #expect(Self.node(members, cluster, name) == ([], false), "\(cluster)/\(name) is untouched")
            }
            try await target.revert(plan.schedule.faults[0], index: 0)
            for name in ["c1", "c2"] {
                #expect(Self.node(members, "member2", name) == ([], false), "\(name)")
            }

            try await target.inject(plan.schedule.faults[1], index: 1)
            #expect(KubeDoubleTargetTests.taints(karmada.object(.clusters, "member1")) == ["quake.io/chaos:NoExecute", "quake.io/chaos:NoSchedule"])
            try await target.revert(plan.schedule.faults[1], index: 1)
            #expect(KubeDoubleTargetTests.taints(karmada.object(.clusters, "member1")).isEmpty)

            let original = karmada.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]]
            try await target.inject(plan.schedule.faults[2], index: 2)
            #expect(karmada.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]][0]["fault"]["abort"]["httpStatus"].int == 503)
            try await target.revert(plan.schedule.faults[2], index: 2)
            #expect(karmada.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]] == original)

            let member2 = try #require(members["member2"])
            let every = karmada.requests + members.values.flatMap(\.requests)
            #expect(!every.contains { $0.status == 403 }, "docs/rbac grants every call: \(every.filter { $0.status == 403 }.map { "\($0.method) \($0.path)" })")
            #expect(every.allSatisfy { $0.user == "quake" }, "Quake called Karmada as itself and the members saw it impersonated")
            let nodePatches = member2.requests.filter { $0.method == "PATCH" }
            #expect(nodePatches.map(\.path).sorted() == ["/api/v1/nodes/c1", "/api/v1/nodes/c1", "/api/v1/nodes/c2", "/api/v1/nodes/c2"] && nodePatches.allSatisfy { $0.status == 200 }, "\(nodePatches.map(\.path))")
            #expect(karmada.requests.filter { $0.method == "PATCH" && $0.path.hasPrefix("/apis/cluster.karmada.io/v1alpha1/clusters/member2/proxy/api/v1/nodes/") }.count == 4, "the node patches went through the proxy")
            #expect(!karmada.requests.contains { $0.path.hasPrefix("/api/") }, "nothing went to Karmada's own core API")
            for member in members.values {
                try await member.waitForRequests("Quake's watch of the nodes through the proxy", timeout: .seconds(20)) { requests in
                    requests.contains { $0.isWatch && $0.path == "/api/v1/nodes" && $0.user == "quake" && $0.status == 200 }
                }
            }
        }
    }

    /// What `quake rollback` does after a crash: the connections from the plan and the
    /// kubeconfig again (the members through the proxy), and the journal reverted, last first.
    @Test func aCrashedRunIsRolledBackThroughTheProxy() async throws {
        try await Self.withTarget { karmada, members, target, plan, journaled in
            try await target.inject(plan.schedule.faults[0], index: 0)
            try await target.inject(plan.schedule.faults[1], index: 1)
            #expect(Self.node(members, "member2", "c1") == (["quake.io/chaos:NoExecute"], true))
            let system = try KubeSystem(plan: plan, kubeconfig: try Kubeconfig.load(paths: [try karmada.kubeconfig(user: "quake")]))
            var clients: [String: KubeClient] = [KubeChange.karmada: KubeClient(connection: try #require(system.karmada))]
            for (cluster, connection) in system.members { clients[cluster] = KubeClient(connection: connection) }
            let reverter = KubeChangeReverter(clients: clients)
            for text in journaled.withLock({ $0 }).reversed() { _ = try await reverter.revert(try KubeChange(journalText: text)) }
            for name in ["c1", "c2"] {
                #expect(Self.node(members, "member2", name) == ([], false), "\(name)")
            }
            #expect(KubeDoubleTargetTests.taints(karmada.object(.clusters, "member1")).isEmpty)
            #expect(!(karmada.requests + members.values.flatMap(\.requests)).contains { $0.status == 403 })
        }
    }

    /// `nodeFault: drain` through the proxy: the evictions are POSTs, which Karmada authorizes as
    /// `create` on `clusters/proxy`, and the member as `create` on `pods/eviction`.
    @Test func aDrainEvictsThroughTheProxy() async throws {
        try await Self.withTarget(nodeFault: "drain") { karmada, members, target, plan, _ in
            let member2 = try #require(members["member2"])
            try member2.seed(KubeAPIObjects.pod("web-1", node: "c1", labels: ["app": "web"], owner: .replicaSet("web-7d4")))
            try member2.seed(KubeAPIObjects.pod("logs-c1", node: "c1", owner: .daemonSet("logs")))
            try await target.inject(plan.schedule.faults[0], index: 0)
            let refused = (karmada.requests + member2.requests).filter { $0.status == 403 }.map { "\($0.method) \($0.path)" }
            #expect(refused.isEmpty, "docs/rbac grants the drain's calls through the proxy: \(refused)")
            #expect(member2.object(.pods, "web-1", namespace: "default") == nil, "evicted")
            #expect(member2.object(.pods, "logs-c1", namespace: "default") != nil, "DaemonSet pods stay")
            #expect(member2.requests.contains { $0.method == "POST" && $0.path == "/api/v1/namespaces/default/pods/web-1/eviction" && $0.user == "quake" && $0.status == 201 })
            try await target.revert(plan.schedule.faults[0], index: 0)
            #expect(Self.node(members, "member2", "c1") == ([], false), "uncordoned")
        }
    }

    @Test func theTimelineShowsAMembersNodeEventsSeenThroughTheProxy() async throws {
        try await Self.withTarget { _, members, target, plan, _ in
            try await target.inject(plan.schedule.faults[0], index: 0)
            try #require(members["member2"]).mutate(.nodes, "c1") { node in
                node[path: ["status", "conditions"]] = [["type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"]]
            }
            var timeline = try await target.observe(through: 0)
            let deadline = ContinuousClock.now + .seconds(20)
            while !timeline.events.contains(where: { $0.kind == .nodeNotReady }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                timeline = try await target.observe(through: 0)
            }
            #expect(timeline.events.contains { $0.kind == .nodeNotReady && $0.subject == "c1 (member2)" && $0.detail == "Ready=Unknown (NodeStatusUnknown)" }, "\(timeline.events)")
            #expect(timeline.events.contains { $0.kind == .taintAdded && $0.subject == "c2 (member2)" && $0.detail == "quake.io/chaos:NoExecute" }, "\(timeline.events)")
            #expect(!timeline.events.contains { $0.subject.hasSuffix("(member1)") }, "member1 saw nothing: \(timeline.events)")
            try await target.revert(plan.schedule.faults[0], index: 0)
        }
    }
}
