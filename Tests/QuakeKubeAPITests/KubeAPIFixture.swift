import Foundation
import QuakeTestSupport
import Testing

/// The small world the client tests run against, and the way they run kubectl on it.
enum KubeAPIFixture {
    /// Two zones of one node each; on n1 two `web` pods (one with an emptyDir) behind a budget that
    /// allows `disruptionsAllowed` evictions, and a kube-proxy DaemonSet pod; a Karmada member
    /// Cluster and an Istio VirtualService and DestinationRule.
    static func seed(_ server: KubeAPIServer, disruptionsAllowed: Int = 1) throws {
        try server.seed(KubeAPIObjects.node("n1", zone: "zone-a"))
        try server.seed(KubeAPIObjects.node("n2", zone: "zone-b"))
        try server.seed(KubeAPIObjects.pod("web-1", node: "n1", labels: ["app": "web"], owner: .replicaSet("web-5d8f")))
        try server.seed(KubeAPIObjects.pod("web-2", node: "n1", labels: ["app": "web"], owner: .replicaSet("web-5d8f"), emptyDir: true))
        try server.seed(KubeAPIObjects.pod("web-3", node: "n2", labels: ["app": "web"], owner: .replicaSet("web-5d8f")))
        try server.seed(KubeAPIObjects.daemonSet("kube-proxy", namespace: "kube-system"))
        try server.seed(KubeAPIObjects.pod("kube-proxy-n1", namespace: "kube-system", node: "n1", owner: .daemonSet("kube-proxy")))
        try server.seed(KubeAPIObjects.podDisruptionBudget("web", matchLabels: ["app": "web"], minAvailable: 2, currentHealthy: 3, disruptionsAllowed: disruptionsAllowed))
        try server.seed(KubeAPIObjects.cluster("member1"))
        try server.seed(KubeAPIObjects.virtualService("reviews", host: "reviews", routes: [("member1", 100)]))
        try server.seed(KubeAPIObjects.destinationRule("reviews", host: "reviews", clusters: ["member1"]))
    }

    /// The `web` Deployment as Karmada propagates it, with its EndpointSlice.
    static func seedWorkload(_ server: KubeAPIServer) throws {
        try server.seed(KubeAPIObjects.deployment("web", replicas: 3))
        try server.seed(KubeAPIObjects.endpointSlice("web-abcde", service: "web", endpoints: [("10.244.0.10", "n1", "zone-a"), ("10.244.1.10", "n2", "zone-b")]))
        try server.seed(KubeAPIObjects.propagationPolicy("web", deployment: "web", clusterNames: ["member1"]))
        try server.seed(KubeAPIObjects.resourceBinding("web-deployment", deployment: "web", clusters: [("member1", 3)]))
    }

    /// The arguments that point kubectl at `server` as `user`, with a discovery cache of the server's own.
    static func kubectlArguments(_ server: KubeAPIServer, user: String = "admin") throws -> [String] {
        let cache = URL(fileURLWithPath: server.caFile).deletingLastPathComponent().appendingPathComponent("kubectl-cache").path
        return ["--kubeconfig", try server.kubeconfig(user: user), "--cache-dir", cache, "--request-timeout=10s"]
    }

    /// Runs `kubectl` with `arguments` against `server` as `user`.
    static func kubectl(_ server: KubeAPIServer, user: String = "admin", _ arguments: String..., timeout: Duration = .seconds(30)) async throws -> ClientCommand.Result {
        return try await ClientCommand.run(try #require(ClientCommand.kubectl), try kubectlArguments(server, user: user) + arguments, timeout: timeout)
    }
}
