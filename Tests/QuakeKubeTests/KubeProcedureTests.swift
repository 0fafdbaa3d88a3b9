import Foundation
import QuakeCore
import QuakeKube
import QuakePlan
import QuakeRunner
import QuakeTestSupport
import Synchronization
import Testing

/// The talk's cluster canary upgrade run by the Runner on the kubernetes target, against the
/// API-server double playing Karmada and both members, with the test playing Karmada's
/// controllers: the traffic shifts and their restore as the VirtualService shows them, the
/// Cluster's taints, the wait for the ResourceBindings, the check held until the Cluster is Ready
/// again, the WorkloadRebalancer, and a run stopped half-way that leaves nothing behind.
@Suite(.timeLimit(.minutes(2))) struct KubeProcedureTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kube-canary}
        topology:
          regions:
            region-1:
              member1: {zones: {zone-a: 1}}
              member2: {zones: {zone-b: 1}}
        services:
          reviews: {replicas: 2, serviceTime: 1ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: reviews, namespace: default}
              spec:
                host: reviews.default.svc.cluster.local
                subsets:
                  - {name: member1, labels: {topology.istio.io/cluster: member1}}
                  - {name: member2, labels: {topology.istio.io/cluster: member2}}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: reviews, namespace: default}
              spec:
                hosts: [reviews]
                http:
                  - route:
                      - {destination: {host: reviews, subset: member1}, weight: 50}
                      - {destination: {host: reviews, subset: member2}, weight: 50}
        target: {kind: kubernetes, window: 500ms}
        schedule:
          duration: 40s
          procedures:
            - name: canary upgrade of member2
              at: 500ms
              steps:
                - {step: shift-traffic, service: reviews, cluster: member2, weight: 0%, wait: 500ms}
                - {step: migrate-workloads, cluster: member2, wait: 500ms}
                - {step: upgrade, cluster: member2, takes: 500ms}
                - {step: check, cluster: member2, timeout: 20s}
                - {step: restore-workloads, cluster: member2, wait: 500ms}
                - {step: shift-traffic, service: reviews, cluster: member2, weight: 10%, wait: 500ms}
                - {step: restore-traffic, service: reviews, cluster: member2}
        """

    static let quake = KubeAPIUser(name: "quake", credential: .token("quake-token"), allowed: KubeDoubleTargetTests.rbacRules(["quake-member.yaml", "quake-karmada.yaml"]))
    static let vsPath = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews"
    static let clusterPath = "/apis/cluster.karmada.io/v1alpha1/clusters/member2"
    static let bindingPath = "/apis/work.karmada.io/v1alpha2/namespaces/default/resourcebindings/reviews-deployment"

    /// Runs `plan` with the Runner against a seeded double, to its end or (with `stopAfter`) until
    /// that many changes are journaled (and half a second more),
    /// while `karmada` plays Karmada's controllers on it; returns the outcome, the journal's
    /// changes and the double.
    static func run(_ text: String = Self.plan, duration: String = "30s", recovers: Bool = true, stopAfter: Int? = nil,
                    _ body: (KubeAPIServer, RunOutcome?, [String]) async throws -> Void) async throws {
        let plan = try PlanLoader.load(text: text.replacingOccurrences(of: "duration: 40s", with: "duration: \(duration)"), file: "kube-canary.yaml").plan
        try await KubeAPIServer.with(users: [.admin, Self.quake]) { server in
            for object in [KubeAPIObjects.node("a1", zone: "zone-a"), KubeAPIObjects.node("b1", zone: "zone-b"),
                           KubeAPIObjects.cluster("member1"), KubeAPIObjects.cluster("member2"),
                           KubeAPIObjects.resourceBinding("reviews-deployment", deployment: "reviews", clusters: [("member1", 1), ("member2", 1)]),
                           KubeAPIObjects.virtualService("reviews", host: "reviews", routes: [("member1", 50), ("member2", 50)])] {
                _ = try server.seed(object)
            }
            let connection = try Kubeconfig.load(paths: [try server.kubeconfig(user: "quake")]).connection()
            let journaled = Mutex<[String]>([])
            let target = try KubernetesTarget(plan: plan, system: KubeSystem(karmada: connection, members: ["member1": connection, "member2": connection]), run: "run-5") { _, change in
                journaled.withLock { $0.append(change) }
            }
            let karmada = Task { try await Self.playKarmada(server, recovers: recovers) }
            defer { karmada.cancel() }
            let running = Task { try await Runner(plan: plan, clock: ContinuousClock()).run(on: target) }
            if let stopAfter {
                let deadline = ContinuousClock.now + .seconds(30)
                while journaled.withLock({ $0.count }) < stopAfter && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await Task.sleep(for: .milliseconds(500))
                running.cancel()
                _ = await running.result
                try await body(server, nil, journaled.withLock { $0 })
            } else {
                try await body(server, try await running.value, journaled.withLock { $0 })
            }
        }
    }

    /// Karmada's part, driven by what Quake asked: once member2 carries a NoExecute taint and
    /// Quake has read the binding at least once, the replicas leave member2 and the Cluster goes
    /// NotReady (its upgrade); once Quake has asked about the Cluster twice more, it is Ready again
    /// (unless it never `recovers`).
    static func playKarmada(_ server: KubeAPIServer, recovers: Bool) async throws {
        var moved = false, readyAgain = false
        while !Task.isCancelled && !readyAgain {
            try await Task.sleep(for: .milliseconds(50))
            let tainted = (server.object(.clusters, "member2")?[path: ["spec", "taints"]].array ?? []).contains { $0["effect"].string == "NoExecute" }
            let requests = server.requests
            if !moved, tainted, requests.contains(where: { $0.method == "GET" && $0.path == bindingPath }) {
                _ = try server.mutate(.resourceBindings, "reviews-deployment", namespace: "default") { $0[path: ["spec", "clusters"]] = [["name": "member1", "replicas": 2]] }
                _ = try server.mutate(.clusters, "member2") { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "False", "reason": "ClusterNotReachable"]] }
                moved = true
            }
            if moved, recovers, requests.filter({ $0.method == "GET" && $0.path == clusterPath }).count >= 3 {
                _ = try server.mutate(.clusters, "member2") { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "True", "reason": "ClusterReady"]] }
                readyAgain = true
            }
        }
    }

    static func weights(_ body: KubeAPIJSON?) -> [Int] {
        (body?[path: ["spec", "http"]][0]["route"].array ?? []).map { $0["weight"].int ?? -1 }
    }

    @Test func theCanaryUpgradeShiftsWaitsChecksAndPutsEverythingBack() async throws {
        try await Self.run { server, outcome, journaled in
            let outcome = try #require(outcome)
            #expect(outcome.abort == nil && outcome.revertFailures.isEmpty)
            let requests = server.requests
            #expect(!requests.contains { $0.status == 403 }, "docs/rbac grants the procedure's calls: \(requests.filter { $0.status == 403 }.map(\.path))")
            let vsPatches = requests.filter { $0.method == "PATCH" && $0.path == Self.vsPath }
            #expect(vsPatches.map { Self.weights($0.json) } == [[50, 0], [50, 10], [50, 50]], "shift to 0, to 10, then the list from before")
            #expect(vsPatches.allSatisfy { $0.contentType == "application/merge-patch+json" })
            #expect(Self.weights(server.object(.virtualServices, "reviews", namespace: "default")) == [50, 50])
            #expect(KubeDoubleTargetTests.taints(server.object(.clusters, "member2")).isEmpty, "the Cluster's taints are gone")
            #expect(requests.contains { $0.method == "PATCH" && $0.path == Self.clusterPath && String(decoding: $0.body, as: UTF8.self).contains("NoSchedule") })
            let rebalancer = try #require(server.object(.workloadRebalancers, "quake-run-5-member2"))
            #expect(rebalancer[path: ["spec", "workloads"]] == [["apiVersion": "apps/v1", "kind": "Deployment", "name": "reviews", "namespace": "default"]])
            let details = outcome.timeline.events.filter { $0.kind == .procedureStep }.map(\.detail)
            let left = try #require(details.firstIndex { $0.hasPrefix("the workloads left member2") }, "\(details)")
            let checked = try #require(details.firstIndex { $0 == "check passed: member2 is Ready and answers /readyz" }, "\(details)")
            let restored = try #require(details.firstIndex { $0.hasPrefix("step 5/7: restore-workloads") }, "\(details)")
            #expect(left < checked && checked < restored, "\(details)")
            #expect(requests.filter { $0.method == "GET" && $0.path == Self.clusterPath }.count >= 4, "the check asked again until member2 was Ready")
            #expect(journaled.count == 3, "two weight changes and the Cluster's taints, journaled before they were made: \(journaled)")
        }
    }

    @Test func aRunStoppedDuringTheUpgradeLeavesNothingBehind() async throws {
        // member2 never comes back, so the check holds the procedure until the run is cancelled,
        // with the Cluster tainted and the weight shifted.
        try await Self.run(Self.plan.replacingOccurrences(of: "timeout: 20s", with: "timeout: 60s"), duration: "90s", recovers: false, stopAfter: 2) { server, _, journaled in
            #expect(journaled.count == 2, "\(journaled)")
            #expect(Self.weights(server.object(.virtualServices, "reviews", namespace: "default")) == [50, 50])
            #expect(KubeDoubleTargetTests.taints(server.object(.clusters, "member2")).isEmpty)
        }
    }

    @Test func theDryRunPrintsEveryStepsCallsAndWritesNothing() async throws {
        let plan = try PlanLoader.load(text: Self.plan, file: "kube-canary.yaml").plan
        try await KubeAPIServer.with(users: [.admin, Self.quake]) { server in
            for object in [KubeAPIObjects.node("a1", zone: "zone-a"), KubeAPIObjects.node("b1", zone: "zone-b"), KubeAPIObjects.cluster("member2"),
                           KubeAPIObjects.virtualService("reviews", host: "reviews", routes: [("member1", 50), ("member2", 50)])] {
                _ = try server.seed(object)
            }
            let connection = try Kubeconfig.load(paths: [try server.kubeconfig(user: "quake")]).connection()
            let lines = try await KubeDryRun.actions(plan: plan, system: KubeSystem(karmada: connection, members: ["member1": connection, "member2": connection]), run: "run-5")
            let text = lines.joined(separator: "\n")
            let patches = lines.filter { $0.contains("\"weight\"") }
            #expect(patches.count == 2 && patches[0].contains("\"weight\":0") && patches[1].contains("\"weight\":10"), "the second shift is computed on the first's result: \(patches)")
            #expect(text.contains("PATCH karmada: \(Self.clusterPath) (application/json-patch+json)"))
            #expect(text.contains("until none schedules replicas to member2 or evicts from it"))
            #expect(text.contains("GET member2: /readyz until it answers"))
            #expect(text.contains("POST karmada: /apis/apps.karmada.io/v1alpha1/workloadrebalancers"))
            #expect(text.contains("spec.http as it was before the procedure"))
            #expect(server.requests.allSatisfy { $0.method == "GET" }, "a dry run only reads")
        }
    }

    @Test func stepsTheSystemCannotTakeAreRefusedBeforeAnythingRuns() throws {
        let plan = try PlanLoader.load(text: Self.plan, file: "kube-canary.yaml").plan
        let member = KubeConnection(context: "m", server: "http://127.0.0.1:1", authorization: .token("t"), user: "ops")
        let noKarmada = #expect(throws: KubeError.self) { try KubeFaultPlanner.checkSupported(plan, hasKarmada: false) }
        #expect(noKarmada?.message.contains("give target.kubernetes.karmadaContext") == true && noKarmada?.location == "canary upgrade of member2: migrate-workloads", "\(String(describing: noKarmada))")
        let elsewhere = try PlanLoader.load(text: Self.plan.replacingOccurrences(of: "{name: member2, labels: {topology.istio.io/cluster: member2}}", with: "{name: member2, labels: {version: v2}}"), file: "kube-canary.yaml").plan
        let noSubset = #expect(throws: KubeError.self) { try KubernetesTarget(plan: elsewhere, system: KubeSystem(karmada: member, members: ["member1": member, "member2": member]), run: "r") { _, _ in } }
        #expect(noSubset?.message.contains("no destination whose subset selects member2") == true, "\(String(describing: noSubset))")
    }
}
