import Foundation
import QuakeTestSupport
import Testing

/// The official Python `kubernetes` client (PyPI) against the API server double: list with a
/// label selector, a watch with bookmarks resumed from the list's resourceVersion, a strategic
/// merge patch on a node, a merge patch on a VirtualService, a JSON patch on a Karmada Cluster,
/// and a watch from a compacted resourceVersion, which the client must see as 410.
@Suite(.timeLimit(.minutes(3)), .enabled(if: ClientCommand.pythonWithClient != nil, "needs python3 with the kubernetes client (pip install kubernetes)"))
struct PythonClientTests {
    /// Prints one JSON line per step, for the test to read.
    static let script = #"""
        import json, sys
        from kubernetes import client, config, watch

        config.load_kube_config(config_file=sys.argv[1])
        core = client.CoreV1Api()
        custom = client.CustomObjectsApi()

        def say(**fields):
            print(json.dumps(fields), flush=True)

        if sys.argv[2] == "steps":
            nodes = core.list_node(label_selector="topology.kubernetes.io/zone in (zone-a)")
            say(step="list", names=[n.metadata.name for n in nodes.items], resourceVersion=nodes.metadata.resource_version,
                ready=[c.status for n in nodes.items for c in n.status.conditions if c.type == "Ready"])
            patched = core.patch_node("n2", {"spec": {"unschedulable": True}})
            say(step="cordon", unschedulable=patched.spec.unschedulable, resourceVersion=patched.metadata.resource_version)
            events = []
            stream = watch.Watch()
            for event in stream.stream(core.list_node, resource_version=nodes.metadata.resource_version,
                                       allow_watch_bookmarks=True, timeout_seconds=10):
                events.append([event["type"], event["raw_object"]["metadata"].get("name"), event["raw_object"]["metadata"]["resourceVersion"]])
                if event["type"] == "BOOKMARK":
                    stream.stop()
            say(step="watch", events=events, resumeFrom=stream.resource_version)
            deployment = client.AppsV1Api().read_namespaced_deployment("web", "default")
            slices = client.DiscoveryV1Api().list_namespaced_endpoint_slice("default", label_selector="kubernetes.io/service-name=web")
            say(step="typed", available=deployment.status.available_replicas,
                zones=[e.zone for s in slices.items for e in s.endpoints if e.conditions.ready])
            service = custom.patch_namespaced_custom_object("networking.istio.io", "v1", "default", "virtualservices", "reviews",
                {"spec": {"http": [{"fault": {"abort": {"percentage": {"value": 50}, "httpStatus": 503}},
                                    "route": [{"destination": {"host": "reviews", "subset": "member1"}, "weight": 100}]}]}})
            say(step="virtualservice", fault=service["spec"]["http"][0]["fault"])
            cluster = custom.patch_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", "member1",
                [{"op": "add", "path": "/spec/taints", "value": [{"key": "chaos.io/down", "effect": "NoExecute"}]}],
                _content_type="application/json-patch+json")
            say(step="cluster", taints=cluster["spec"]["taints"])
            try:
                custom.patch_cluster_custom_object("cluster.karmada.io", "v1alpha1", "clusters", "member1",
                    {"metadata": {"resourceVersion": nodes.metadata.resource_version}, "spec": {"taints": []}})
                say(step="conflict", status=None)
            except client.ApiException as error:
                say(step="conflict", status=error.status, reason=json.loads(error.body)["reason"])
        else:
            try:
                for event in watch.Watch().stream(core.list_node, resource_version="1", timeout_seconds=5):
                    say(step="expired", event=event["type"])
            except client.ApiException as error:
                say(step="expired", status=error.status, reason=error.reason)
        """#

    private func run(_ server: KubeAPIServer, mode: String) async throws -> [String: KubeAPIJSON] {
        let python = try #require(ClientCommand.pythonWithClient)
        let folder = URL(fileURLWithPath: server.caFile).deletingLastPathComponent()
        let scriptFile = folder.appendingPathComponent("client.py").path
        try Self.script.write(toFile: scriptFile, atomically: true, encoding: .utf8)
        let result = try await ClientCommand.run(python, [scriptFile, try server.kubeconfig(user: "admin"), mode])
        #expect(result.status == 0, "\(result.errors)")
        var steps: [String: KubeAPIJSON] = [:]
        for line in result.output.split(separator: "\n") {
            let step = try KubeAPIJSON(parsing: String(line))
            steps[step["step"].string ?? ""] = step
        }
        return steps
    }

    @Test func listWatchWithBookmarksAndPatches() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            try KubeAPIFixture.seedWorkload(server)
            let steps = try await run(server, mode: "steps")

            #expect(steps["list"]?["names"] == ["n1"])
            #expect(steps["list"]?["ready"] == ["True"])
            let listed = try #require(steps["list"]?["resourceVersion"].string.flatMap(Int.init))
            #expect(steps["cordon"]?["unschedulable"] == true)
            let cordoned = try #require(steps["cordon"]?["resourceVersion"].string)
            let patch = try #require(server.requests.first { $0.method == "PATCH" && $0.path == "/api/v1/nodes/n2" })
            #expect(patch.contentType == "application/strategic-merge-patch+json")

            // The watch resumes after the list: the cordon, then a bookmark at or after it.
            let events = try #require(steps["watch"]?["events"].array)
            #expect(events.first == ["MODIFIED", "n2", .string(cordoned)])
            let bookmark = try #require(events.last)
            #expect(bookmark[0] == "BOOKMARK" && bookmark[1] == .null)
            #expect((bookmark[2].string.flatMap(Int.init) ?? 0) >= listed + 1)
            #expect(steps["watch"]?["resumeFrom"] == bookmark[2], "the client keeps the bookmark's resourceVersion to resume from")
            let watchRequest = try #require(server.requests.first { $0.isWatch })
            #expect(watchRequest.query["allowWatchBookmarks"] == "true")

            #expect(steps["typed"]?["available"] == 3 && steps["typed"]?["zones"] == ["zone-a", "zone-b"])
            #expect(steps["virtualservice"]?["fault"]["abort"]["httpStatus"] == 503)
            #expect(server.requests.contains { $0.path.hasSuffix("/virtualservices/reviews") && $0.contentType == "application/merge-patch+json" && $0.status == 200 })
            #expect(steps["cluster"]?["taints"] == [["key": "chaos.io/down", "effect": "NoExecute"]])
            #expect(steps["conflict"]?["status"] == 409 && steps["conflict"]?["reason"] == "Conflict")
            #expect(server.object(.clusters, "member1")?["spec"]["taints"] == [["key": "chaos.io/down", "effect": "NoExecute"]])
        }
    }

    @Test func watchFromACompactedVersionIsGone() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            try server.mutate(.nodes, "n1") { $0[path: ["metadata", "labels", "touched"]] = "yes" }
            server.compact()
            let steps = try await run(server, mode: "expired")
            #expect(steps["expired"]?["status"] == 410)
            #expect(steps["expired"]?["reason"].string?.hasPrefix("Expired: too old resource version: 1") == true, "\(String(describing: steps["expired"]))")
        }
    }
}
