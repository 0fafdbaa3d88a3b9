import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

/// The double's cluster proxy where kubectl does not reach: the verb Karmada authorizes (the
/// method's alone), the member deciding by its own rules for the caller, a Cluster that is not
/// Ready, one without a reachable endpoint, a watch's events, and a member that hangs. Requests
/// go through QuakeKube's kubeconfig reader and QuakeHTTP.
@Suite(.timeLimit(.minutes(1)))
struct ClusterProxyProtocolTests {
    static let proxy = "/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy"
    /// May only GET through the proxy on Karmada; on the member, may read nodes but not patch them.
    static let reader = KubeAPIUser(name: "reader", groups: ["readers"], credential: .token("reader-token"), allowed: [KubeAPIRule(verbs: ["get"], resources: ["clusters/proxy"])])
    static let readerOnMember = KubeAPIUser(name: "reader", credential: .token("unused"), allowed: [KubeAPIRule(verbs: ["get", "list", "watch"], resources: ["nodes"])])

    /// May do everything on Karmada; the member has no user of this name.
    static let stranger = KubeAPIUser(name: "stranger", credential: .token("stranger-token"))

    static func withProxy(_ body: (KubeAPIServer, KubeAPIServer, KubeAPIClient) async throws -> Void) async throws {
        try await KubeAPIServer.withKarmada(users: [.admin, reader, stranger], members: ["member1"], memberUsers: [.admin, readerOnMember]) { karmada, members in
            let member = try #require(members["member1"])
            try member.seed(KubeAPIObjects.node("n1", zone: "zone-a"))
            try await body(karmada, member, try KubeAPIClient(karmada, user: "reader"))
        }
    }

    @Test func everyGETIsAGetOfClustersProxyAndOtherMethodsTheirOwnVerb() async throws {
        try await Self.withProxy { _, member, client in
            #expect(try await client.send(.get, "\(Self.proxy)/api/v1/nodes").status == 200, "a list is a get of the proxy")
            let watch = try await client.send(.get, "\(Self.proxy)/api/v1/nodes?watch=true&timeoutSeconds=1")
            let names = try KubeAPIClient.events(watch.text).map { $0["object"]["metadata"]["name"] }
            #expect(watch.status == 200 && names == ["n1"], "a watch is a get of the proxy: \(watch.text)")
            let patch = try await client.send(.patch, "\(Self.proxy)/api/v1/nodes/n1", body: ["spec": ["unschedulable": true]], contentType: "application/merge-patch+json")
            #expect(patch.status == 403)
            #expect(patch.body["message"] == #"clusters.cluster.karmada.io "member1" is forbidden: User "reader" cannot patch resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope"#)
            #expect(patch.body["details"] == ["name": "member1", "group": "cluster.karmada.io", "kind": "clusters"])
            #expect(member.requests.allSatisfy { $0.method == "GET" && $0.user == "reader" && $0.groups == ["readers"] }, "the patch never reached the member")
        }
    }

    @Test func theMemberDecidesByItsOwnRulesForTheCaller() async throws {
        try await Self.withProxy { karmada, member, _ in
            #expect(try await KubeAPIClient(karmada).send(.get, "\(Self.proxy)/api/v1/nodes/n1").status == 200, "the member's admin may")
            #expect(member.requests.last?.user == "admin" && member.requests.last?.groups == ["system:masters"])
            let stranger = try await KubeAPIClient(karmada, user: "stranger").send(.get, "\(Self.proxy)/api/v1/nodes/n1")
            #expect(stranger.status == 403)
            #expect(stranger.body["message"] == #"nodes "n1" is forbidden: User "stranger" cannot get resource "nodes" in API group "" at the cluster scope"#, "the member's RBAC words it")
        }
    }

    @Test func aClusterThatIsNotReadyIsStillProxiedAndOneWithoutAnEndpointIsAnInternalError() async throws {
        try await Self.withProxy { karmada, _, client in
            try karmada.mutate(.clusters, "member1") { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "False", "reason": "ClusterNotReachable"]] }
            #expect(try await client.send(.get, "\(Self.proxy)/api/v1/nodes").status == 200, "Karmada does not check Ready")

            try karmada.mutate(.clusters, "member1") { $0[path: ["spec", "apiEndpoint"]] = "" }
            let empty = try await client.send(.get, "\(Self.proxy)/api/v1/nodes")
            #expect(empty.status == 500 && empty.body["message"] == "Internal error occurred: API endpoint of cluster member1 should not be empty", "\(empty.text)")

            try karmada.mutate(.clusters, "member1") { $0[path: ["spec", "apiEndpoint"]] = "https://member1.example:6443" }
            let unreachable = try await client.send(.get, "\(Self.proxy)/api/v1/nodes")
            #expect(unreachable.status == 500 && unreachable.body["reason"] == "InternalError" && unreachable.body["message"].string?.contains("member1.example:6443") == true, "\(unreachable.text)")
        }
    }

    @Test func aMemberThatHangsHoldsTheProxiedRequestUntilItResumes() async throws {
        try await Self.withProxy { karmada, member, client in
            member.hang()
            let error = await #expect(throws: HTTPError.self) { try await client.send(.get, "\(Self.proxy)/api/v1/nodes", timeout: .milliseconds(500)) }
            #expect(error?.code == .timeout)
            async let waiting = client.send(.get, "\(Self.proxy)/api/v1/nodes/n1", timeout: .seconds(20))
            try await member.waitForRequests("the second proxied request", timeout: .seconds(20)) { $0.count == 2 }
            #expect(karmada.requests.last?.status == nil && member.requests.last?.status == nil)
            member.resume()
            #expect(try await waiting.status == 200)
            #expect(member.requests.map(\.status) == [nil, 200], "the first client had gone")
            #expect(karmada.requests.last?.status == 200, "Karmada logs the member's answer")
        }
    }
}
