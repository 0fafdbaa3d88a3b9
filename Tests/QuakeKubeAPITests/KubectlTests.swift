import Foundation
import QuakeTestSupport
import Testing

/// Debian's kubectl against the API server double: what it prints and what the double stored
/// show that the double speaks the protocol kubectl expects (discovery, Tables, watches,
/// strategic merge for nodes, evictions, JSON and merge patches on custom resources).
@Suite(.timeLimit(.minutes(3)), .enabled(if: ClientCommand.kubectl != nil, "needs kubectl (apt-get install kubernetes-client)"))
struct KubectlTests {
    @Test func getPrintsTheServersTableAndFiltersByLabel() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            try server.mutate(.nodes, "n2") { node in
                node[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"]]
            }
            let all = try await KubeAPIFixture.kubectl(server, "get", "nodes")
            #expect(all.status == 0, "\(all.errors)")
            let rows = all.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.first == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"])
            #expect(rows.dropFirst().map { [$0[0], $0[1]] } == [["n1", "Ready"], ["n2", "NotReady"]])
            let list = try #require(server.requests.last { $0.path == "/api/v1/nodes" })
            #expect(list.accept.hasPrefix("application/json;as=Table;v=v1;g=meta.k8s.io"))

            let zoneA = try await KubeAPIFixture.kubectl(server, "get", "nodes", "-l", "topology.kubernetes.io/zone in (zone-a)", "-o", "name")
            #expect(zoneA.output == "node/n1\n", "\(zoneA.errors)")
            let pods = try await KubeAPIFixture.kubectl(server, "get", "pods", "-A", "--field-selector", "spec.nodeName=n2", "-o", "wide")
            #expect(pods.output.contains("web-3") && !pods.output.contains("web-1"), "\(pods.output)\(pods.errors)")
        }
    }

    @Test func everyResourceIsDiscoveredByItsShortName() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            try KubeAPIFixture.seedWorkload(server)
            let result = try await KubeAPIFixture.kubectl(server, "get", "no,ns,po,ev,pdb,deploy,ds,endpointslices,clusters,rb,pp,vs,dr", "-A", "-o", "name")
            #expect(result.status == 0, "\(result.errors)")
            #expect(Set(result.output.split(separator: "\n").map(String.init)).isSuperset(of: [
                "node/n1", "namespace/kube-system", "pod/web-3", "poddisruptionbudget.policy/web", "deployment.apps/web",
                "daemonset.apps/kube-proxy", "endpointslice.discovery.k8s.io/web-abcde", "cluster.cluster.karmada.io/member1",
                "resourcebinding.work.karmada.io/web-deployment", "propagationpolicy.policy.karmada.io/web",
                "virtualservice.networking.istio.io/reviews", "destinationrule.networking.istio.io/reviews",
            ]))
            let legacy = try await KubeAPIFixture.kubectl(server, "get", "virtualservices.v1beta1.networking.istio.io", "reviews", "-o", "jsonpath={.apiVersion}")
            #expect(legacy.output == "networking.istio.io/v1beta1", "\(legacy.errors)")
        }
    }

    @Test func getWatchPrintsChangesMadeWhileItWatches() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let kubectl = try #require(ClientCommand.kubectl)
            let watch = try ClientCommand.start(kubectl, try KubeAPIFixture.kubectlArguments(server) + ["get", "nodes", "-w"])
            try await server.waitForRequests("kubectl's watch") { $0.contains { $0.isWatch && $0.status == 200 } }
            try server.mutate(.nodes, "n2") { node in
                node[path: ["status", "conditions"]] = [["type": "Ready", "status": "Unknown"]]
            }
            let sawChange = try await watch.waitForOutput("Unknown")
            let result = try await watch.stop()
            #expect(sawChange, "\(result.output)\(result.errors)")
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 4, "header, n1, n2, then n2 again: \(result.output)")
            #expect(lines.last?.hasPrefix("n2") == true && lines.last?.contains("Unknown") == true)
            let watchRequest = try #require(server.requests.first { $0.isWatch })
            #expect(watchRequest.query["resourceVersion"] != nil, "kubectl resumes from its list's resourceVersion")
        }
    }

    @Test func cordonAndTaintPatchTheNodeByStrategicMerge() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let cordon = try await KubeAPIFixture.kubectl(server, "cordon", "n1")
            #expect(cordon.output == "node/n1 cordoned\n", "\(cordon.errors)")
            let taint = try await KubeAPIFixture.kubectl(server, "taint", "nodes", "n1", "chaos/down=:NoExecute")
            #expect(taint.output == "node/n1 tainted\n", "\(taint.errors)")
            let second = try await KubeAPIFixture.kubectl(server, "taint", "nodes", "n1", "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute")
            #expect(second.status == 0, "\(second.errors)")

            let node = try #require(server.object(.nodes, "n1"))
            #expect(node["spec"]["unschedulable"] == true)
            // kubectl sends the whole list (no patch strategy for taints); the new one comes first.
            #expect(node["spec"]["taints"] == [
                ["key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"],
                ["key": "chaos/down", "effect": "NoExecute"],
            ])
            let patches = server.requests.filter { $0.method == "PATCH" }
            #expect(patches.map(\.contentType) == Array(repeating: "application/strategic-merge-patch+json", count: 3))
            #expect(patches.allSatisfy { $0.status == 200 })

            let removed = try await KubeAPIFixture.kubectl(server, "taint", "nodes", "n1", "chaos/down:NoExecute-")
            #expect(removed.output == "node/n1 untainted\n", "\(removed.errors)")
            #expect(server.object(.nodes, "n1")?["spec"]["taints"] == [["key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"]])
            let table = try await KubeAPIFixture.kubectl(server, "get", "node", "n1", "--no-headers")
            #expect(table.output.contains("Ready,SchedulingDisabled"), "\(table.output)")
        }
    }

    @Test func drainEvictsAndRetriesWhileTheBudgetRefuses() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server, disruptionsAllowed: 1)
            let kubectl = try #require(ClientCommand.kubectl)
            let drain = try ClientCommand.start(kubectl, try KubeAPIFixture.kubectlArguments(server) + [
                "drain", "n1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=40s",
            ])
            // One eviction uses the budget up; the other gets 429 until the budget allows another.
            try await server.waitForRequests("a refused eviction") { $0.contains { $0.path.hasSuffix("/eviction") && $0.status == 429 } }
            try server.mutate(.podDisruptionBudgets, "web") { budget in
                budget[path: ["status", "disruptionsAllowed"]] = 1
            }
            let result = try await drain.finish(within: .seconds(30))
            #expect(result.status == 0, "\(result.output)\(result.errors)")
            #expect(result.errors.contains("Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-n1"))
            #expect(result.errors.contains("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."))
            #expect(result.output.contains("node/n1 drained"))

            let evictions = server.requests.filter { $0.path.hasSuffix("/eviction") }
            #expect(Set(evictions.map(\.path)) == ["/api/v1/namespaces/default/pods/web-1/eviction", "/api/v1/namespaces/default/pods/web-2/eviction"])
            #expect(evictions.map(\.status).filter { $0 == 201 }.count == 2)
            #expect(evictions.contains { $0.status == 429 })
            #expect(evictions.allSatisfy { $0.json?["kind"] == "Eviction" && $0.json?["apiVersion"] == "policy/v1" })
            #expect(server.object(.pods, "web-1") == nil && server.object(.pods, "web-2") == nil)
            #expect(server.object(.pods, "kube-proxy-n1", namespace: "kube-system") != nil)
            #expect(server.object(.pods, "web-3") != nil)
            #expect(server.object(.nodes, "n1")?["spec"]["unschedulable"] == true)
            #expect(!server.requests.contains { $0.path.hasPrefix("/openapi") }, "drain needs no OpenAPI document")
        }
    }

    @Test func jsonAndMergePatchesOnAClusterAndAVirtualService() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let taint = try await KubeAPIFixture.kubectl(server, "patch", "cluster", "member1", "--type=json", "-p",
                #"[{"op":"add","path":"/spec/taints","value":[{"key":"chaos.io/down","effect":"NoExecute"}]}]"#)
            #expect(taint.output == "cluster.cluster.karmada.io/member1 patched\n", "\(taint.errors)")
            let twin = try await KubeAPIFixture.kubectl(server, "patch", "clusters.cluster.karmada.io", "member1", "--type=json", "-p",
                #"[{"op":"add","path":"/spec/taints/-","value":{"key":"chaos.io/down","effect":"NoSchedule"}}]"#)
            #expect(twin.status == 0, "\(twin.errors)")
            #expect(server.object(.clusters, "member1")?["spec"]["taints"] == [
                ["key": "chaos.io/down", "effect": "NoExecute"], ["key": "chaos.io/down", "effect": "NoSchedule"],
            ])
            let untaint = try await KubeAPIFixture.kubectl(server, "patch", "cluster", "member1", "--type=merge", "-p", #"{"spec":{"taints":null}}"#)
            #expect(untaint.status == 0, "\(untaint.errors)")
            #expect(server.object(.clusters, "member1")?["spec"]["taints"].isNull == true)

            let fault = #"{"spec":{"http":[{"fault":{"abort":{"percentage":{"value":50},"httpStatus":503}},"route":[{"destination":{"host":"reviews","subset":"member1"},"weight":100}]}]}}"#
            let merge = try await KubeAPIFixture.kubectl(server, "patch", "virtualservice", "reviews", "--type=merge", "-p", fault)
            #expect(merge.output == "virtualservice.networking.istio.io/reviews patched\n", "\(merge.errors)")
            #expect(server.object(.virtualServices, "reviews")?[path: ["spec", "http"]][0]["fault"]["abort"]["httpStatus"] == 503)
            let weight = try await KubeAPIFixture.kubectl(server, "patch", "vs", "reviews", "--type=json", "-p",
                #"[{"op":"test","path":"/spec/http/0/route/0/weight","value":100},{"op":"replace","path":"/spec/http/0/route/0/weight","value":0}]"#)
            #expect(weight.status == 0, "\(weight.errors)")
            #expect(server.object(.virtualServices, "reviews")?[path: ["spec", "http"]][0]["route"][0]["weight"] == 0)

            let failedTest = try await KubeAPIFixture.kubectl(server, "patch", "vs", "reviews", "--type=json", "-p",
                #"[{"op":"test","path":"/spec/http/0/route/0/weight","value":100}]"#)
            #expect(failedTest.status != 0)
            #expect(failedTest.errors.contains("The request is invalid: the server rejected our request due to an error in our request"), "\(failedTest.errors)")

            let strategic = try await KubeAPIFixture.kubectl(server, "patch", "vs", "reviews", "--type=strategic", "-p", #"{"spec":{"hosts":["other"]}}"#)
            #expect(strategic.status != 0)
            #expect(strategic.errors.contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"), "\(strategic.errors)")
            #expect(server.requests.last { $0.method == "PATCH" }?.status == 415)
            #expect(server.object(.virtualServices, "reviews")?["spec"]["hosts"] == ["reviews"])
            #expect(!server.requests.contains { $0.path.hasPrefix("/openapi") }, "patch needs no OpenAPI document")
        }
    }

    @Test func refusalsReadAsKubectlPrintsThemFromARealServer() async throws {
        let viewer = KubeAPIUser(name: "viewer", credential: .token("viewer-token"), allowed: [KubeAPIRule(verbs: ["get", "list"], resources: ["nodes"])])
        try await KubeAPIServer.with(users: [.admin, viewer]) { server in
            try KubeAPIFixture.seed(server)
            let missing = try await KubeAPIFixture.kubectl(server, "get", "node", "nope")
            #expect(missing.errors == "Error from server (NotFound): nodes \"nope\" not found\n")

            let list = try await KubeAPIFixture.kubectl(server, user: "viewer", "get", "nodes", "-o", "name")
            #expect(list.output == "node/n1\nnode/n2\n", "\(list.errors)")
            let cordon = try await KubeAPIFixture.kubectl(server, user: "viewer", "cordon", "n1")
            #expect(cordon.errors.contains(#"nodes "n1" is forbidden: User "viewer" cannot patch resource "nodes" in API group "" at the cluster scope"#), "\(cordon.errors)")

            server.revoke(token: "viewer-token")
            let revoked = try await KubeAPIFixture.kubectl(server, user: "viewer", "get", "nodes")
            #expect(revoked.status != 0)
            #expect(revoked.errors.contains("You must be logged in to the server"), "\(revoked.errors)")
            #expect(server.requests.last?.status == 401)
        }
    }
}
