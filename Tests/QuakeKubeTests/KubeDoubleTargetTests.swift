import Foundation
import QuakeCore
import QuakeKube
import QuakePlan
import QuakeTestSupport
import Synchronization
import Testing

/// The kubernetes target against the API-server double (HTTPS, a token user, the real protocol
/// that kubectl and the Python client are checked against): every fault and its revert as the
/// objects show them, a conflict on revert, a token revoked mid-run, an API server that hangs,
/// and the nodes' Ready transitions in the timeline.
@Suite(.timeLimit(.minutes(2))) struct KubeDoubleTargetTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kube-double}
        topology:
          regions:
            region-1:
              member1: {zones: {zone-a: 2, zone-b: 1}}
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
            - {at: 5s, fault: zone-outage, zone: region-1/member1/zone-a, for: 10s}
            - {at: 20s, fault: cluster-outage, cluster: member1, for: 10s}
            - {at: 40s, fault: http-abort, service: reviews, status: 503, percentage: 50%, for: 10s}
        """

    /// Quake's identity, allowed exactly what docs/rbac's ClusterRoles grant (the double plays both
    /// the member and Karmada), so that a call the roles forget fails these tests with a 403.
    static let quake = KubeAPIUser(name: "quake", credential: .token("quake-token"), allowed: rbacRules(["quake-member.yaml", "quake-karmada.yaml"]))

    /// The rules of the ClusterRoles in `docs/rbac/` (each rule's `resources: […]` and `verbs: […]`).
    static func rbacRules(_ files: [String]) -> [KubeAPIRule] {
        files.flatMap { file -> [KubeAPIRule] in
            let text = (try? String(contentsOf: PlanFixtures.repository.appendingPathComponent("docs/rbac/\(file)"), encoding: .utf8)) ?? ""
            func list(_ line: Substring) -> [String] {
                guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return [] }
                return line[line.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            var rules: [KubeAPIRule] = [], resources: [String] = []
            for line in text.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("resources:") { resources = list(line) }
                if trimmed.hasPrefix("verbs:") { rules.append(KubeAPIRule(verbs: list(line), resources: resources)) }
            }
            return rules
        }
    }

    @Test func theRBACRolesAreRead() {
        let rules = Self.rbacRules(["quake-member.yaml", "quake-karmada.yaml"])
        #expect(rules.map { "\($0.resources.joined(separator: ",")): \($0.verbs.joined(separator: ","))" } == [
            "nodes: get,list,watch,patch", "pods: list,delete", "pods/eviction: create", "endpointslices: list,watch", "virtualservices: get,patch",
            "clusters: get,list,watch,patch", "clusters/proxy: get,create,patch,delete", "virtualservices: get,patch",
            "resourcebindings: get,list,watch", "workloadrebalancers: create",
        ])
    }

    /// Runs `body` with the double seeded (three nodes, the Karmada Cluster, the VirtualService, and
    /// `seed`), a kubernetes target acting through it as Karmada and as member1, and the changes it
    /// journaled.
    static func withTarget(timeout: Duration = .seconds(30), nodeFault: String = "taint", seed: [KubeAPIJSON] = [], _ body: (KubeAPIServer, KubernetesTarget, Plan, borrowing Mutex<[String]>) async throws -> Void) async throws {
        let plan = try PlanLoader.load(text: Self.plan + "\ntarget: {kubernetes: {nodeFault: \(nodeFault)}}\n", file: "kube-double.yaml").plan
        try await KubeAPIServer.with(users: [.admin, Self.quake]) { server in
            for object in [KubeAPIObjects.node("a1", zone: "zone-a"), KubeAPIObjects.node("a2", zone: "zone-a"), KubeAPIObjects.node("b1", zone: "zone-b"),
                           KubeAPIObjects.cluster("member1"), KubeAPIObjects.virtualService("reviews", host: "reviews", routes: [("v1", 100)])] + seed {
                _ = try server.seed(object)
            }
            let connection = try Kubeconfig.load(paths: [try server.kubeconfig(user: "quake")]).connection()
            let journaled = Mutex<[String]>([])
            let target = try KubernetesTarget(plan: plan, system: KubeSystem(karmada: connection, members: ["member1": connection]), run: "run-9", timeout: timeout) { _, change in
                journaled.withLock { $0.append(change) }
            }
            try await target.whilePrepared { try await body(server, target, plan, journaled) }
        }
    }

    static func taints(_ object: KubeAPIJSON?) -> [String] {
        (object?[path: ["spec", "taints"]].array ?? []).map { "\($0["key"].string ?? ""):\($0["effect"].string ?? "")" }
    }

    @Test func everyFaultAndItsRevertAsTheObjectsShowThem() async throws {
        try await Self.withTarget { server, target, plan, journaled in
            try await target.inject(plan.schedule.faults[0], index: 0)
            for name in ["a1", "a2"] {
                #expect(Self.taints(server.object(.nodes, name)) == ["quake.io/chaos:NoExecute"] && server.object(.nodes, name)?[path: ["spec", "unschedulable"]].bool == true, "\(name)")
            }
            #expect(Self.taints(server.object(.nodes, "b1")).isEmpty, "the other zone is untouched")
            try await target.revert(plan.schedule.faults[0], index: 0)
            for name in ["a1", "a2"] {
                #expect(Self.taints(server.object(.nodes, name)).isEmpty && server.object(.nodes, name)?[path: ["spec", "unschedulable"]].bool != true, "\(name)")
            }

            try await target.inject(plan.schedule.faults[1], index: 1)
            #expect(Self.taints(server.object(.clusters, "member1")) == ["quake.io/chaos:NoExecute", "quake.io/chaos:NoSchedule"])
            try await target.revert(plan.schedule.faults[1], index: 1)
            #expect(Self.taints(server.object(.clusters, "member1")).isEmpty)

            let original = server.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]]
            try await target.inject(plan.schedule.faults[2], index: 2)
            let faulted = server.object(.virtualServices, "reviews", namespace: "default")
            #expect(faulted?[path: ["spec", "http"]][0]["fault"]["abort"]["httpStatus"].int == 503)
            #expect(faulted?[path: ["spec", "http"]][0]["route"] == original?[0]["route"], "the route itself is unchanged")
            try await target.revert(plan.schedule.faults[2], index: 2)
            #expect(server.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]] == original)

            #expect(journaled.withLock { $0.count } == 4, "two nodes, the cluster, the VirtualService")
            #expect(!server.requests.contains { $0.status == 403 }, "docs/rbac grants every call: \(server.requests.filter { $0.status == 403 }.map { "\($0.method) \($0.path)" })")
            let patches = server.requests.filter { $0.method == "PATCH" }
            #expect(patches.allSatisfy { $0.user == "quake" && $0.status == 200 }, "\(patches.map { "\($0.path) \($0.status.map(String.init) ?? "-")" })")
            #expect(patches.filter { $0.path.contains("virtualservices") }.allSatisfy { $0.contentType == "application/merge-patch+json" })
        }
    }

    /// `nodeFault: drain` on the double: each pod of the zone's nodes evicted through the
    /// eviction API but the DaemonSet's, one refused by its PodDisruptionBudget (429, a warning).
    @Test func aDrainEvictsThroughTheAPIAndAPodDisruptionBudgetRefusalIsReported() async throws {
        try await Self.withTarget(nodeFault: "drain") { server, target, plan, _ in
            for object in [KubeAPIObjects.pod("web-1", node: "a1", labels: ["app": "web"], owner: .replicaSet("web-7d4")),
                           KubeAPIObjects.pod("db-0", node: "a2", labels: ["app": "db"], owner: .replicaSet("db-5f9")),
                           KubeAPIObjects.pod("logs-a1", node: "a1", owner: .daemonSet("logs")),
                           KubeAPIObjects.podDisruptionBudget("db", matchLabels: ["app": "db"], minAvailable: 1, currentHealthy: 1, disruptionsAllowed: 0)] {
                _ = try server.seed(object)
            }
            try await target.inject(plan.schedule.faults[0], index: 0)
            #expect(server.object(.pods, "web-1", namespace: "default") == nil, "evicted")
            #expect(server.object(.pods, "db-0", namespace: "default") != nil, "its budget refused")
            #expect(server.object(.pods, "logs-a1", namespace: "default") != nil, "DaemonSet pods stay")
            #expect(Self.taints(server.object(.nodes, "a1")).isEmpty && server.object(.nodes, "a1")?[path: ["spec", "unschedulable"]].bool == true, "cordoned, not tainted")
            let timeline = try await target.observe(through: 0)
            #expect(timeline.warnings.contains { $0.contains("default/db-0") && $0.contains("disruption budget") }, "\(timeline.warnings)")
            #expect(!server.requests.contains { $0.status == 403 }, "docs/rbac grants the drain's calls")
            try await target.revert(plan.schedule.faults[0], index: 0)
            #expect(server.object(.nodes, "a1")?[path: ["spec", "unschedulable"]].bool != true, "uncordoned")
        }
    }

    @Test func aVirtualServiceChangedSinceTheFaultIsNotOverwritten() async throws {
        try await Self.withTarget { server, target, plan, _ in
            try await target.inject(plan.schedule.faults[2], index: 2)
            _ = try server.mutate(.virtualServices, "reviews", namespace: "default") { vs in
                vs[path: ["spec", "http"]] = [["route": [["destination": ["host": "reviews", "subset": "v2"], "weight": 100]]]]
            }
            let error = await #expect(throws: KubeError.self) { try await target.revert(plan.schedule.faults[2], index: 2) }
            #expect(error?.code == .conflict && error?.message.contains("changed by someone else") == true, "\(String(describing: error))")
            #expect(server.object(.virtualServices, "reviews", namespace: "default")?[path: ["spec", "http"]][0]["route"][0]["destination"]["subset"].string == "v2", "their change stays")
        }
    }

    @Test func aTokenRevokedMidRunFailsTheRevertClearlyAndAnotherIdentityRollsItBack() async throws {
        try await Self.withTarget { server, target, plan, journaled in
            try await target.inject(plan.schedule.faults[0], index: 0)
            server.revoke(token: "quake-token")
            let error = await #expect(throws: KubeError.self) { try await target.revert(plan.schedule.faults[0], index: 0) }
            #expect(error?.code == .unauthorized && error?.description.contains("GET /api/v1/nodes/") == true, "\(String(describing: error))")
            #expect(Self.taints(server.object(.nodes, "a1")) == ["quake.io/chaos:NoExecute"], "nothing changed")
            // What rollback does with the journal, as an identity that still may.
            let admin = try Kubeconfig.load(paths: [try server.kubeconfig(user: "admin")]).connection()
            let reverter = KubeChangeReverter(clients: ["member1": KubeClient(connection: admin)])
            for text in journaled.withLock({ $0 }).reversed() { _ = try await reverter.revert(try KubeChange(journalText: text)) }
            #expect(Self.taints(server.object(.nodes, "a1")).isEmpty && Self.taints(server.object(.nodes, "a2")).isEmpty)
        }
    }

    @Test func anAPIServerThatHangsFailsTheCallAtItsTimeout() async throws {
        try await Self.withTarget(timeout: .seconds(1)) { server, target, plan, journaled in
            server.hang()
            let start = ContinuousClock.now
            let error = await #expect(throws: KubeError.self) { try await target.inject(plan.schedule.faults[0], index: 0) }
            #expect(error?.code == .transport && start.duration(to: .now) < .seconds(20), "\(String(describing: error))")
            #expect(journaled.withLock { $0 }.isEmpty, "no change was journaled: none was made")
            server.resume()
        }
    }

    @Test func theTimelineShowsANodeGoingNotReadyAndTheTaintsSeen() async throws {
        try await Self.withTarget { server, target, plan, _ in
            try await target.inject(plan.schedule.faults[0], index: 0)
            _ = try server.mutate(.nodes, "a1") { node in
                node[path: ["status", "conditions"]] = [["type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"]]
            }
            var timeline = try await target.observe(through: 0)
            let deadline = ContinuousClock.now + .seconds(20)
            while !timeline.events.contains(where: { $0.kind == .nodeNotReady }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                timeline = try await target.observe(through: 0)
            }
            #expect(timeline.events.contains { $0.kind == .nodeNotReady && $0.subject == "a1 (member1)" && $0.detail == "Ready=Unknown (NodeStatusUnknown)" }, "\(timeline.events)")
            #expect(timeline.events.contains { $0.kind == .taintAdded && $0.subject == "a2 (member1)" && $0.detail == "quake.io/chaos:NoExecute" })
            try await target.revert(plan.schedule.faults[0], index: 0)
        }
    }

    /// Polls `target`'s timeline (window 0) until `done` holds, for at most 20 s.
    static func timeline(of target: KubernetesTarget, until done: (Timeline) -> Bool) async throws -> Timeline {
        var timeline = try await target.observe(through: 0)
        let deadline = ContinuousClock.now + .seconds(20)
        while !done(timeline) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            timeline = try await target.observe(through: 0)
        }
        return timeline
    }

    /// Karmada moves reviews off member2 (a graceful eviction, then the old copy gone) while one of
    /// its endpoints on member1 stops being ready: the binding's placement, the eviction's start and
    /// end, the ready endpoints and the ready replicas per cluster are what the timeline shows, and
    /// nothing that was there before the run is an event.
    @Test func theTimelineShowsABindingMovingAndEndpointsGoingNotReady() async throws {
        let endpoints = [(address: "10.244.0.10", node: "a1", zone: "zone-a"), (address: "10.244.1.10", node: "b1", zone: "zone-b")]
        let seed = [
            KubeAPIObjects.resourceBinding("reviews-deployment", deployment: "reviews", clusters: [("member1", 2), ("member2", 2)], ready: [("member1", 2), ("member2", 2)]),
            KubeAPIObjects.resourceBinding("ratings-deployment", deployment: "ratings", clusters: [("member1", 1)], ready: [("member1", 1)]),
            KubeAPIObjects.endpointSlice("reviews-x7k2p", service: "reviews", endpoints: endpoints),
            KubeAPIObjects.endpointSlice("ratings-q9f4m", service: "ratings", endpoints: [("10.244.0.20", "a1", "zone-a")]),
        ]
        try await Self.withTarget(seed: seed) { server, target, _, _ in
            let workloadKinds: Set<TimelineEvent.Kind> = [.bindingEvicted, .replicasChanged, .endpointsDropped, .endpointsAdded]
            let before = try await target.observe(through: 0)
            #expect(!before.events.contains { workloadKinds.contains($0.kind) }, "the first list is the baseline: \(before.events)")
            #expect(before.replicas.map { "\($0.key.service)/\($0.key.cluster) \($0.ready[0])" } == ["reviews/member1 2", "reviews/member2 2"], "only the plan's service")

            func rewrite(_ binding: KubeAPIJSON) throws {
                _ = try server.mutate(.resourceBindings, "reviews-deployment", namespace: "default") { object in
                    object["spec"] = binding["spec"]
                    object["status"] = binding["status"]
                }
            }
            try rewrite(KubeAPIObjects.resourceBinding("reviews-deployment", deployment: "reviews", clusters: [("member1", 4)], evictions: [("member2", 2)], ready: [("member1", 2), ("member2", 2)]))
            _ = try server.mutate(.endpointSlices, "reviews-x7k2p", namespace: "default") { slice in
                slice["endpoints"] = KubeAPIObjects.endpointSlice("reviews-x7k2p", service: "reviews", endpoints: endpoints, notReady: ["10.244.1.10"])["endpoints"]
            }
            var timeline = try await Self.timeline(of: target) { timeline in
                timeline.events.contains { $0.kind == .bindingEvicted } && timeline.events.contains { $0.kind == .endpointsDropped }
            }
            try rewrite(KubeAPIObjects.resourceBinding("reviews-deployment", deployment: "reviews", clusters: [("member1", 4)], ready: [("member1", 4)]))
            timeline = try await Self.timeline(of: target) { timeline in timeline.events.contains { $0.detail.contains("ended") } }

            let seen = timeline.events.filter { workloadKinds.contains($0.kind) }.map { "\($0.kind.rawValue) \($0.subject): \($0.detail)" }
            #expect(seen.filter { !$0.hasPrefix("endpoints") } == [
                "binding-evicted reviews-deployment: 2 replicas leave member2 (TaintUntolerated, by TaintManager)",
                "replicas-changed reviews: scheduled to member1: 4 (was member1: 2, member2: 2)",
                "replicas-changed reviews: graceful eviction from member2 ended",
            ], "\(timeline.events)")
            #expect(seen.filter { $0.hasPrefix("endpoints") } == ["endpoints-dropped reviews (member1): 1 of 2 endpoints ready, was 2 of 2"], "\(timeline.events)")
            let finished = try await target.finish()
            #expect(finished.replicas.map { "\($0.key.service)/\($0.key.cluster) \($0.ready.last ?? -1)" } == ["reviews/member1 4", "reviews/member2 0"], "at the end of the run")
            #expect(TimelineQuery(finished, service: "reviews").replicas.last == 4, "what replicasReady(reviews) scores")
            #expect(!server.requests.contains { $0.status == 403 }, "docs/rbac grants the watches: \(server.requests.filter { $0.status == 403 }.map { "\($0.method) \($0.path)" })")
        }
    }
}
