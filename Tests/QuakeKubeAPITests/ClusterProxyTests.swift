import Foundation
import QuakeTestSupport
import Testing

/// Karmada's cluster proxy in the API server double, checked with kubectl and the Python client
/// pointed at `…/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy`: what they print and
/// what the member stored show the request reached the member as the caller, that watches stream
/// through it (bookmarks, 410) as direct ones do, and that Karmada refuses a caller without
/// `clusters/proxy` (403) and an unknown cluster (404).
@Suite(.timeLimit(.minutes(3)), .enabled(if: ClientCommand.kubectl != nil, "needs kubectl (apt-get install kubernetes-client)"))
struct ClusterProxyTests {
    /// Allowed everything on the member but nothing on Karmada beyond reading Clusters.
    static let viewer = KubeAPIUser(name: "viewer", credential: .token("viewer-token"), allowed: [KubeAPIRule(verbs: ["get", "list", "watch"], resources: ["clusters"])])

    /// Runs `body` with Karmada (admin and `viewer`) proxying to member1, which has nodes n1 and n2.
    static func withProxy(_ body: (KubeAPIServer, KubeAPIServer) async throws -> Void) async throws {
        try await KubeAPIServer.withKarmada(users: [.admin, viewer], members: ["member1"], memberUsers: [.admin, KubeAPIUser(name: "viewer", credential: .token("unused"))]) { karmada, members in
            let member = try #require(members["member1"])
            try member.seed(KubeAPIObjects.node("n1", zone: "zone-a"))
            try member.seed(KubeAPIObjects.node("n2", zone: "zone-b"))
            try await body(karmada, member)
        }
    }

    static func kubectl(_ karmada: KubeAPIServer, user: String = "admin", cluster: String = "member1", _ arguments: [String]) throws -> [String] {
        try KubeAPIFixture.kubectlArguments(karmada, user: user) + ["--server", karmada.clusterProxyURL(cluster)] + arguments
    }

    @Test func getAndCordonReachTheMemberAsTheCaller() async throws {
        try await Self.withProxy { karmada, member in
            let kubectl = try #require(ClientCommand.kubectl)
            let get = try await ClientCommand.run(kubectl, try Self.kubectl(karmada, ["get", "nodes"]))
            #expect(get.status == 0, "\(get.errors)")
            let names: [String] = get.output.split(separator: "\n").dropFirst().compactMap { line in line.split(separator: " ").first.map(String.init) }
            #expect(names == ["n1", "n2"], "\(get.output)")
            let proxied = try #require(karmada.requests.first { $0.path == "/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes" })
            #expect(proxied.status == 200 && proxied.user == "admin")
            let list = try #require(member.requests.first { $0.path == "/api/v1/nodes" })
            #expect(list.user == "admin" && list.groups == ["system:masters"], "the member sees the caller Karmada impersonates")
            #expect(list.accept.hasPrefix("application/json;as=Table"), "the headers go through")

            let cordon = try await ClientCommand.run(kubectl, try Self.kubectl(karmada, ["cordon", "n1"]))
            #expect(cordon.output == "node/n1 cordoned\n", "\(cordon.errors)")
            #expect(member.object(.nodes, "n1")?["spec"]["unschedulable"] == true)
            #expect(karmada.object(.nodes, "n1") == nil, "Karmada has no nodes of its own")
            #expect(member.requests.contains { $0.method == "PATCH" && $0.path == "/api/v1/nodes/n1" && $0.contentType == "application/strategic-merge-patch+json" && $0.status == 200 })
        }
    }

    @Test func getWatchStreamsTheMembersChanges() async throws {
        try await Self.withProxy { karmada, member in
            let watch = try ClientCommand.start(try #require(ClientCommand.kubectl), try Self.kubectl(karmada, ["get", "nodes", "-w"]))
            try await member.waitForRequests("kubectl's watch through the proxy", timeout: .seconds(20)) { $0.contains { $0.isWatch && $0.status == 200 } }
            try member.mutate(.nodes, "n2") { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "Unknown"]] }
            let sawChange = try await watch.waitForOutput("Unknown", timeout: .seconds(20))
            let result = try await watch.stop()
            #expect(sawChange, "\(result.output)\(result.errors)")
            #expect(result.output.split(separator: "\n").last?.hasPrefix("n2") == true)
            #expect(karmada.requests.contains { $0.isWatch && $0.path.hasSuffix("/proxy/api/v1/nodes") && $0.status == 200 })
        }
    }

    @Test func aCallerWithoutClustersProxyIsForbidden() async throws {
        try await Self.withProxy { karmada, member in
            let kubectl = try #require(ClientCommand.kubectl)
            // Discovery through the proxy is refused too; kubectl's discovery client reads no
            // Status body, so it prints no message, as it does against real Karmada.
            let get = try await ClientCommand.run(kubectl, try Self.kubectl(karmada, user: "viewer", ["get", "nodes"]))
            #expect(get.status != 0 && get.errors.contains("Error from server (Forbidden)"), "\(get.errors)")
            #expect(karmada.requests.contains { $0.path.hasPrefix("/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/") && $0.user == "viewer" && $0.status == 403 })
            let raw = try await ClientCommand.run(kubectl, try KubeAPIFixture.kubectlArguments(karmada, user: "viewer") + ["get", "--raw", "/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes"])
            #expect(raw.status != 0)
            #expect(raw.errors.contains(#"clusters.cluster.karmada.io "member1" is forbidden: User "viewer" cannot get resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope"#), "\(raw.errors)")
            #expect(!member.requests.contains { $0.path.hasPrefix("/api/v1/nodes") }, "nothing reached the member")
        }
    }

    @Test func anUnknownClusterIsNotFound() async throws {
        try await Self.withProxy { karmada, _ in
            let get = try await ClientCommand.run(try #require(ClientCommand.kubectl), try KubeAPIFixture.kubectlArguments(karmada) + ["get", "--raw", "/apis/cluster.karmada.io/v1alpha1/clusters/nope/proxy/api/v1/nodes"])
            #expect(get.status != 0)
            #expect(get.errors.contains(#"clusters.cluster.karmada.io "nope" not found"#), "\(get.errors)")
            #expect(karmada.requests.contains { $0.path.hasSuffix("/clusters/nope/proxy/api/v1/nodes") && $0.status == 404 })
        }
    }

    /// The Python client's watch through the proxy: the change, a bookmark, and after the
    /// member's history is compacted a 410 the client raises as `Expired`.
    @Test(.enabled(if: ClientCommand.pythonWithClient != nil, "needs python3 with the kubernetes client"))
    func thePythonClientsWatchGetsBookmarksAndGoneThroughTheProxy() async throws {
        let script = #"""
            import json, sys
            from kubernetes import client, config, watch

            config.load_kube_config(config_file=sys.argv[1])
            core = client.CoreV1Api()
            if sys.argv[2] == "watch":
                nodes = core.list_node()
                core.patch_node("n2", {"spec": {"unschedulable": True}})
                events = []
                stream = watch.Watch()
                for event in stream.stream(core.list_node, resource_version=nodes.metadata.resource_version, allow_watch_bookmarks=True, timeout_seconds=20):
                    events.append(event["type"])
                    if event["type"] == "BOOKMARK":
                        stream.stop()
                print(json.dumps({"events": events}), flush=True)
            else:
                try:
                    for event in watch.Watch().stream(core.list_node, resource_version="1", timeout_seconds=5):
                        print(json.dumps({"event": event["type"]}), flush=True)
                except client.ApiException as error:
                    print(json.dumps({"status": error.status, "reason": error.reason}), flush=True)
            """#
        try await Self.withProxy { karmada, member in
            let python = try #require(ClientCommand.pythonWithClient)
            let folder = URL(fileURLWithPath: karmada.caFile).deletingLastPathComponent()
            let scriptFile = folder.appendingPathComponent("proxy-client.py").path
            try script.write(toFile: scriptFile, atomically: true, encoding: .utf8)
            let kubeconfig = try karmada.kubeconfig(user: "admin")
            let text = try String(contentsOfFile: kubeconfig, encoding: .utf8)
            try text.replacingOccurrences(of: "server: \(karmada.url)\n", with: "server: \(karmada.clusterProxyURL("member1"))\n").write(toFile: kubeconfig, atomically: true, encoding: .utf8)

            let watched = try await ClientCommand.run(python, [scriptFile, kubeconfig, "watch"], timeout: .seconds(40))
            #expect(watched.status == 0, "\(watched.errors)")
            #expect(try KubeAPIJSON(parsing: watched.output)["events"] == ["MODIFIED", "BOOKMARK"], "\(watched.output)")
            #expect(member.requests.contains { $0.isWatch && $0.query["allowWatchBookmarks"] == "true" && $0.user == "admin" })

            try member.mutate(.nodes, "n1") { $0[path: ["metadata", "labels", "touched"]] = "yes" }
            member.compact()
            let expired = try await ClientCommand.run(python, [scriptFile, kubeconfig, "expired"], timeout: .seconds(40))
            let answer = try KubeAPIJSON(parsing: expired.output)
            #expect(answer["status"] == 410 && answer["reason"].string?.hasPrefix("Expired: too old resource version: 1") == true, "\(expired.output)\(expired.errors)")
        }
    }
}
