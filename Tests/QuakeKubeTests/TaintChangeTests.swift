import QuakeCore
import QuakeKube
import Testing

/// The patches that taint and cordon a node or a Karmada Cluster, and those that take exactly
/// Quake's part away again.
@Suite struct TaintChangeTests {
    static let node: KubeJSON = [
        "metadata": ["name": "n1", "resourceVersion": "100"],
        "spec": ["taints": [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]],
    ]

    @Test func injectionTestsTheVersionAddsTheTaintAndCordons() throws {
        let taint = KubeTaint.chaos(run: "run-7")
        let (change, patch) = try TaintChange.inject([taint], cordon: true, into: Self.node, at: "/api/v1/nodes/n1")
        #expect(change == TaintChange(path: "/api/v1/nodes/n1", taints: [taint], cordoned: true))
        #expect(patch == [
            ["op": "test", "path": "/metadata/resourceVersion", "value": "100"],
            ["op": "add", "path": "/spec/taints/-", "value": ["key": "quake.io/chaos", "value": "run-7", "effect": "NoExecute"]],
            ["op": "add", "path": "/spec/unschedulable", "value": true],
        ])
        // A node with no taints yet gets the list; one already cordoned is not cordoned again,
        // so the revert leaves its cordon alone.
        let bare: KubeJSON = ["metadata": ["name": "n2", "resourceVersion": "5"], "spec": ["unschedulable": true]]
        let (second, secondPatch) = try TaintChange.inject([taint], cordon: true, into: bare, at: "/api/v1/nodes/n2")
        #expect(!second.cordoned)
        #expect(secondPatch.array?.last == ["op": "add", "path": "/spec/taints", "value": [taint.json]])
    }

    @Test func revertRemovesOnlyQuakesTaintsAndItsCordon() throws {
        let change = TaintChange(path: "/api/v1/nodes/n1", taints: [.chaos(run: "run-7"), .outOfService], cordoned: true)
        let now: KubeJSON = ["metadata": ["resourceVersion": "140"], "spec": ["unschedulable": true, "taints": [
            ["key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"],
            ["key": "dedicated", "value": "gpu", "effect": "NoSchedule"],
            ["key": "quake.io/chaos", "value": "run-7", "effect": "NoExecute"],
            ["key": "quake.io/chaos", "value": "run-8", "effect": "NoSchedule"],
        ]]]
        #expect(change.revert(from: now) == [
            ["op": "test", "path": "/spec/taints/2/key", "value": "quake.io/chaos"],
            ["op": "remove", "path": "/spec/taints/2"],
            ["op": "test", "path": "/spec/taints/0/key", "value": "node.kubernetes.io/out-of-service"],
            ["op": "remove", "path": "/spec/taints/0"],
            ["op": "replace", "path": "/spec/unschedulable", "value": false],
        ], "another run's taint and the user's stay")
        #expect(!change.isGone(from: now))
        let after: KubeJSON = ["spec": ["taints": [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]]]
        #expect(change.revert(from: after) == nil, "reverting twice changes nothing")
        #expect(change.isGone(from: after))
    }

    /// A taint's value is a label value (at most 63 characters, ASCII): a run of a plan with a
    /// long or non-ASCII name still taints, and two such runs stay apart.
    @Test func theRunIdIsWrittenAsALabelValue() {
        #expect(KubeTaint.chaos(run: "zone-outage-20261207-190532-ab12").value == "zone-outage-20261207-190532-ab12")
        let long = "the-talks-cluster-canary-upgrade-with-every-service-of-the-shop-20261207-190532-ab12"
        let value = KubeTaint.chaos(run: long).value ?? ""
        #expect(value.count == 63 && value.hasPrefix("the-talks-cluster-canary-upgrade-with-every-service-of-"), "\(value)")
        #expect(value != KubeTaint.chaos(run: long.replacingOccurrences(of: "ab12", with: "cd34")).value, "the digest keeps two runs apart")
        #expect(KubeTaint.chaos(run: "zoné_outage-20261207").value == "zon-_outage-20261207")
    }

    @Test func eachNodeFaultModeHasItsTaints() {
        let node = KubeFaultPlanner.Target.node(cluster: "m1", name: "n1")
        #expect(KubeFaultPlanner.taints(for: node, run: "r", mode: .taint)! == ([.chaos(run: "r")], true))
        #expect(KubeFaultPlanner.taints(for: node, run: "r", mode: .outOfService)! == ([KubeTaint(key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute")], true))
        #expect(KubeFaultPlanner.taints(for: node, run: "r", mode: .drain)! == ([], true))
        #expect(KubeFaultPlanner.taints(for: .karmadaCluster("m1"), run: "r")! == ([.chaos(run: "r"), .chaos(run: "r", effect: "NoSchedule")], false))
        #expect(KubeFaultPlanner.taints(for: .virtualService(namespace: "a", name: "b"), run: "r") == nil)
    }

    @Test func aTaintLeftByAnEarlierRunIsAConflictNamingRollback() {
        let held: KubeJSON = ["spec": ["taints": [["key": "quake.io/chaos", "value": "run-1", "effect": "NoExecute"]]]]
        let error = #expect(throws: KubeError.self) { try TaintChange.inject([.chaos(run: "run-2")], cordon: false, into: held, at: "/apis/cluster.karmada.io/v1alpha1/clusters/member1") }
        #expect(error?.code == .conflict && error?.description.contains("quake rollback") == true)
    }
}

/// The merge patch that puts an HTTP fault on a VirtualService's routes, and the revert that
/// restores the saved list unless someone else changed it.
@Suite struct VirtualServiceChangeTests {
    static let virtualService: KubeJSON = [
        "metadata": ["name": "reviews", "namespace": "bookinfo", "resourceVersion": "77"],
        "spec": ["hosts": ["reviews"], "http": [
            ["match": [["headers": ["end-user": ["exact": "jason"]]]], "route": [["destination": ["host": "reviews", "subset": "v2"]]]],
            ["route": [["destination": ["host": "reviews", "subset": "v1"]]], "retries": ["attempts": 3]],
        ]],
    ]

    @Test func everyRouteGetsTheFaultInOneMergePatchOfTheWholeList() throws {
        let block = try #require(VirtualServiceChange.faultBlock(.httpAbort(service: "reviews", status: 503, percentage: Percentage(50))))
        #expect(block == ["abort": ["httpStatus": 503, "percentage": ["value": 50]]])
        #expect(VirtualServiceChange.faultBlock(.httpDelay(service: "reviews", delay: .milliseconds(1500), percentage: Percentage(10))) == ["delay": ["fixedDelay": "1500ms", "percentage": ["value": 10]]])
        let (change, patch) = try VirtualServiceChange.inject(block, into: Self.virtualService, at: "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews")
        #expect(change.original == Self.virtualService[path: "spec.http"])
        #expect(patch[path: "metadata.resourceVersion"] == "77")
        let routes = try #require(patch[path: "spec.http"]?.array)
        #expect(routes.count == 2 && routes.allSatisfy { $0["fault"] == block })
        #expect(routes[1]["retries"] == ["attempts": 3], "the rest of each route is sent as it was")
    }

    @Test func theRevertRestoresTheSavedListOrReportsAConflict() throws {
        let block = try #require(VirtualServiceChange.faultBlock(.httpAbort(service: "reviews", status: 500, percentage: Percentage(100))))
        let (change, patch) = try VirtualServiceChange.inject(block, into: Self.virtualService, at: "/vs")
        var faulted = Self.virtualService
        if case var .object(o) = faulted, case var .object(spec) = o["spec"] {
            spec["http"] = patch[path: "spec.http"]
            o["spec"] = .object(spec)
            o["metadata"] = ["resourceVersion": "78"]
            faulted = .object(o)
        }
        #expect(try change.revert(from: faulted) == ["metadata": ["resourceVersion": "78"], "spec": ["http": Self.virtualService[path: "spec.http"] ?? .null]])
        #expect(try change.revert(from: Self.virtualService) == nil, "already restored")
        #expect(change.isGone(from: Self.virtualService) && !change.isGone(from: faulted))
        let edited: KubeJSON = ["spec": ["http": [["route": [["destination": ["host": "reviews", "subset": "v3"]]]]]]]
        let conflict = #expect(throws: KubeError.self) { try change.revert(from: edited) }
        #expect(conflict?.code == .conflict && conflict?.description.contains("changed by someone else") == true)
    }

    @Test func aRouteWithTheUsersOwnFaultIsLeftAlone() {
        let own: KubeJSON = ["spec": ["http": [["fault": ["delay": ["fixedDelay": "1s"]], "route": [["destination": ["host": "r"]]]]]]]
        let error = #expect(throws: KubeError.self) { try VirtualServiceChange.inject(["abort": [:]], into: own, at: "/vs") }
        #expect(error?.code == .conflict)
    }
}
