import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

/// The double's answers byte for byte where Quake's client will depend on them: `Status` bodies,
/// resourceVersion preconditions, patch media types, evictions, watches, authentication and a
/// server that hangs. Requests go through QuakeKube's kubeconfig reader and QuakeHTTP.
@Suite(.timeLimit(.minutes(1)))
struct KubeAPIProtocolTests {
    @Test func notFoundIsAStatusInTheRealShape() async throws {
        try await KubeAPIServer.with { server in
            let client = try KubeAPIClient(server)
            let node = try await client.send(.get, "/api/v1/nodes/x")
            #expect(node.status == 404)
            #expect(node.text == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nodes \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"nodes"},"code":404}"#)
            let cluster = try await client.send(.get, "/apis/cluster.karmada.io/v1alpha1/clusters/gone")
            #expect(cluster.body["message"] == #"clusters.cluster.karmada.io "gone" not found"#)
            #expect(cluster.body["details"] == ["name": "gone", "group": "cluster.karmada.io", "kind": "clusters"])
        }
    }

    @Test func aStaleResourceVersionConflicts() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let read = try await client.send(.get, "/api/v1/nodes/n1")
            try server.mutate(.nodes, "n1") { $0[path: ["metadata", "labels", "owner"]] = "someone-else" }

            var stale = read.body
            stale[path: ["spec", "unschedulable"]] = true
            let update = try await client.send(.put, "/api/v1/nodes/n1", body: stale)
            #expect(update.status == 409)
            #expect(update.text == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on nodes \"n1\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"n1","kind":"nodes"},"code":409}"#)

            let path = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews"
            let service = try await client.send(.get, path)
            let version = try #require(service.body["metadata"]["resourceVersion"].string)
            let first = try await client.send(.patch, path, body: ["metadata": ["resourceVersion": .string(version)], "spec": ["hosts": ["a"]]], contentType: "application/merge-patch+json")
            #expect(first.status == 200)
            #expect(first.body["metadata"]["resourceVersion"] != .string(version))
            let second = try await client.send(.patch, path, body: ["metadata": ["resourceVersion": .string(version)], "spec": ["hosts": ["b"]]], contentType: "application/merge-patch+json")
            #expect(second.status == 409)
            #expect(second.body["details"] == ["name": "reviews", "group": "networking.istio.io", "kind": "virtualservices"])
            #expect(server.object(.virtualServices, "reviews")?["spec"]["hosts"] == ["a"])

            var unversioned = first.body
            unversioned[path: ["metadata", "resourceVersion"]] = nil
            let update2 = try await client.send(.put, path, body: unversioned)
            #expect(update2.status == 422, "a custom resource's update must carry a resourceVersion")
        }
    }

    @Test func patchMediaTypesFollowTheResourceKind() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let cluster = "/apis/cluster.karmada.io/v1alpha1/clusters/member1"
            let strategic = try await client.send(.patch, cluster, body: ["spec": ["taints": []]], contentType: "application/strategic-merge-patch+json")
            #expect(strategic.status == 415)
            #expect(strategic.body["reason"] == "UnsupportedMediaType")
            let apply = try await client.send(.patch, cluster, body: ["spec": ["taints": []]], contentType: "application/apply-patch+yaml")
            #expect(apply.status == 415, "server-side apply is not implemented, and says so")
            let test = try await client.send(.patch, cluster, body: [["op": "test", "path": "/spec/syncMode", "value": "Pull"]], contentType: "application/json-patch+json")
            #expect(test.status == 422)
            let missing = try await client.send(.patch, cluster, body: [["op": "add", "path": "/spec/taints/-", "value": ["key": "k", "effect": "NoSchedule"]]], contentType: "application/json-patch+json")
            #expect(missing.status == 422, "appending to a list that does not exist fails: Quake must add the list")

            // A node's conditions merge on their type; its taints are replaced whole.
            let node = try await client.send(.patch, "/api/v1/nodes/n1", body: [
                "spec": ["taints": [["key": "a", "effect": "NoSchedule"]]],
                "metadata": ["labels": ["extra": "1"]],
            ], contentType: "application/strategic-merge-patch+json")
            #expect(node.status == 200)
            #expect(node.body["spec"]["taints"] == [["key": "a", "effect": "NoSchedule"]])
            #expect(node.body["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-a")
            #expect(node.body["status"]["conditions"].array?.count == 1, "status is kept on writes to the main resource")
        }
    }

    @Test func listsFilterAndPaginate() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            try server.seed(KubeAPIObjects.node("n3", zone: "zone-c"))
            let client = try KubeAPIClient(server)
            let notIn = try await client.send(.get, "/api/v1/nodes?labelSelector=topology.kubernetes.io/zone%20notin%20(zone-a,zone-b)")
            #expect(notIn.body["items"].array?.map { $0["metadata"]["name"] } == ["n3"])
            #expect(notIn.body["kind"] == "NodeList" && notIn.body["items"][0]["kind"] == .null)
            let noLabel = try await client.send(.get, "/api/v1/nodes?labelSelector=!topology.kubernetes.io/zone")
            #expect(noLabel.body["items"] == [])
            let onNode = try await client.send(.get, "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1")
            #expect(onNode.body["items"].array?.map { $0["metadata"]["name"] } == ["web-1", "web-2", "kube-proxy-n1"])
            let unknownField = try await client.send(.get, "/api/v1/pods?fieldSelector=spec.priority%3D1")
            #expect(unknownField.status == 400 && unknownField.body["message"] == "field label not supported: spec.priority")

            let page = try await client.send(.get, "/api/v1/nodes?limit=2")
            #expect(page.body["items"].array?.count == 2 && page.body["metadata"]["remainingItemCount"] == 1)
            let token = try #require(page.body["metadata"]["continue"].string)
            let next = try await client.send(.get, "/api/v1/nodes?limit=2&continue=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)")
            #expect(next.body["items"].array?.map { $0["metadata"]["name"] } == ["n3"])
            #expect(next.body["metadata"]["continue"] == .null)
        }
    }

    @Test func evictionRespectsTheDisruptionBudget() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server, disruptionsAllowed: 1)
            let client = try KubeAPIClient(server)
            let eviction: (String) -> KubeAPIJSON = { ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": .string($0), "namespace": "default"]] }
            let first = try await client.send(.post, "/api/v1/namespaces/default/pods/web-1/eviction", body: eviction("web-1"))
            #expect(first.status == 201)
            #expect(first.text == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}"#)
            #expect(server.object(.pods, "web-1") == nil)
            #expect(server.object(.podDisruptionBudgets, "web")?["status"]["disruptionsAllowed"] == 0)

            let refused = try await client.send(.post, "/api/v1/namespaces/default/pods/web-2/eviction", body: eviction("web-2"))
            #expect(refused.status == 429)
            #expect(refused.text == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget web needs 2 healthy pods and has 3 currently"}]},"code":429}"#)
            #expect(server.object(.pods, "web-2") != nil)
            let gone = try await client.send(.post, "/api/v1/namespaces/default/pods/web-1/eviction", body: eviction("web-1"))
            #expect(gone.status == 404 && gone.body["message"] == #"pods "web-1" not found"#)
        }
    }

    @Test(arguments: [false, true])
    func watchesResumeFilterAndBookmark(withLabelSelector: Bool) async throws {
        try await KubeAPIServer.with(bookmarkInterval: .milliseconds(200)) { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let from = server.resourceVersion
            try server.mutate(.nodes, "n1") { $0[path: ["spec", "unschedulable"]] = true }
            try server.mutate(.nodes, "n2") { $0[path: ["metadata", "labels", "topology.kubernetes.io/zone"]] = "zone-a" }
            server.remove(.nodes, "n1")
            let selector = withLabelSelector ? "&labelSelector=topology.kubernetes.io/zone%3Dzone-a" : ""
            let watch = try await client.send(.get, "/api/v1/nodes?watch=true&resourceVersion=\(from)&allowWatchBookmarks=true&timeoutSeconds=1\(selector)")
            #expect(watch.status == 200)
            let events = try KubeAPIClient.events(watch.text)
            let changes = events.filter { $0["type"] != "BOOKMARK" }.map { [$0["type"], $0["object"]["metadata"]["name"]] }
            // n2 moving into zone-a is an ADDED for a watch that selects zone-a.
            #expect(changes == [["MODIFIED", "n1"], [withLabelSelector ? "ADDED" : "MODIFIED", "n2"], ["DELETED", "n1"]])
            #expect(events.filter { $0["type"] != "BOOKMARK" }.allSatisfy { $0["object"]["kind"] == "Node" && $0["object"]["apiVersion"] == "v1" })
            let bookmark = try #require(events.last)
            #expect(bookmark == ["type": "BOOKMARK", "object": ["kind": "Node", "apiVersion": "v1", "metadata": ["resourceVersion": .string(String(server.resourceVersion)), "creationTimestamp": nil]]])
        }
    }

    @Test func aWatchListEndsItsInitialEventsWithAnAnnotatedBookmark() async throws {
        try await KubeAPIServer.with(bookmarkInterval: nil) { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let watch = try await client.send(.get, "/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=1")
            let events = try KubeAPIClient.events(watch.text)
            #expect(events.map { $0["type"] } == ["ADDED", "ADDED", "BOOKMARK"])
            #expect(events.last?["object"]["metadata"]["annotations"] == ["k8s.io/initial-events-end": "true"])
            #expect(events.last?["object"]["metadata"]["resourceVersion"] == .string(String(server.resourceVersion)))
        }
    }

    @Test func aWatchFromACompactedVersionEndsWithExpired() async throws {
        try await KubeAPIServer.with(bookmarkInterval: nil) { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let old = server.resourceVersion
            try server.mutate(.clusters, "member1") { $0[path: ["status", "conditions"]] = [] }
            server.compact()
            let watch = try await client.send(.get, "/apis/cluster.karmada.io/v1alpha1/clusters?watch=1&resourceVersion=\(old)")
            #expect(watch.status == 200)
            #expect(watch.text == #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: \#(old) (\#(old + 2))","reason":"Expired","code":410}}"# + "\n")
        }
    }

    @Test func credentialsDecideWhoIsAsking() async throws {
        let operator_ = KubeAPIUser(name: "quake", groups: ["chaos", "readers"], credential: .clientCertificate, allowed: [KubeAPIRule(verbs: ["get"], resources: ["*"])])
        let robot = KubeAPIUser(name: "robot", credential: .token("robot-token"))
        try await KubeAPIServer.with(users: [operator_, robot]) { server in
            try KubeAPIFixture.seed(server)
            let certificate = try KubeAPIClient(server, user: "quake")
            #expect(try await certificate.send(.get, "/api/v1/nodes/n1").status == 200)
            #expect(server.requests.last?.user == "quake" && server.requests.last?.groups == ["chaos", "readers"])
            let forbidden = try await certificate.send(.post, "/api/v1/namespaces/default/pods/web-1/eviction", body: ["metadata": ["name": "web-1"]])
            #expect(forbidden.status == 403)
            #expect(forbidden.body["message"] == #"pods "web-1" is forbidden: User "quake" cannot create resource "pods/eviction" in API group "" in the namespace "default""#)

            let token = try KubeAPIClient(server, user: "robot")
            #expect(try await token.send(.get, "/version").body["gitVersion"] == "v1.32.0")
            server.revoke(token: "robot-token")
            let revoked = try await token.send(.get, "/api/v1/nodes")
            #expect(revoked.text == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)

            // A client certificate from another authority fails the handshake (a real server answers 401).
            try await LoopbackCertificates.with { strangers in
                var tls = certificate.connection.tls
                tls.clientCertificate = .files(certificate: strangers.clientCertificateFile, key: strangers.clientKeyFile)
                let request = HTTPRequest(url: server.url + "/api/v1/nodes", tls: tls)
                await #expect(throws: HTTPError.self) { try await HTTPClient().send(request) }
            }
        }
    }

    @Test func aHangingServerHoldsWatchEventsUntilResumed() async throws {
        try await KubeAPIServer.with(bookmarkInterval: nil) { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            let from = server.resourceVersion
            // The watch lasts 5 s, long enough for the hang to start on a loaded machine.
            async let watched = { (try await client.send(.get, "/api/v1/nodes?watch=true&resourceVersion=\(from)&timeoutSeconds=5"), ContinuousClock.now) }()
            try await server.waitForRequests("the watch") { $0.contains { $0.isWatch && $0.status == 200 } }
            server.hang()
            try server.mutate(.nodes, "n1") { $0[path: ["spec", "unschedulable"]] = true }
            // The watch's timeout passes while the server hangs: its end waits too.
            try await Task.sleep(for: .milliseconds(5500))
            let resumed = ContinuousClock.now
            server.resume()
            let (response, ended) = try await watched
            #expect(ended > resumed, "nothing reached the client before the server resumed")
            #expect(try KubeAPIClient.events(response.text).map { $0["type"] } == ["MODIFIED"])
        }
    }

    @Test func aHangingServerHoldsRequestsUntilResumed() async throws {
        try await KubeAPIServer.with { server in
            try KubeAPIFixture.seed(server)
            let client = try KubeAPIClient(server)
            server.hang()
            let error = await #expect(throws: HTTPError.self) { try await client.send(.get, "/api/v1/nodes", timeout: .milliseconds(500)) }
            #expect(error?.code == .timeout)
            #expect(server.requests.last?.path == "/api/v1/nodes" && server.requests.last?.status == nil)

            // A request still waiting when the server resumes is answered then.
            async let waiting = client.send(.get, "/api/v1/nodes/n1")
            try await server.waitForRequests("the second request") { $0.count == 2 }
            #expect(server.requests.last?.status == nil)
            server.resume()
            #expect(try await waiting.status == 200)
            #expect(server.requests.map(\.status) == [nil, 200], "the first client had gone: its request was never answered")
        }
    }
}
