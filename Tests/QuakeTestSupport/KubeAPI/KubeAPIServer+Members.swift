extension KubeAPIServer {
    /// Makes `member` the member cluster `cluster` of this server playing Karmada: the Cluster's
    /// `spec.apiEndpoint` becomes the member's URL, and the cluster proxy
    /// (`/apis/cluster.karmada.io/v1alpha1/clusters/{cluster}/proxy/…`) hands requests for that
    /// endpoint to the member in process, impersonating the caller. Costs nothing per request
    /// beyond the member's own answer.
    ///
    /// - Throws: ``LoopbackTLSServer/Failure`` when this server has no Cluster `cluster` (seed it first).
    public func attachMember(_ cluster: String, _ member: KubeAPIServer) throws {
        service.attach(member.service, at: member.url)
        try mutate(.clusters, cluster) { $0[path: ["spec", "apiEndpoint"]] = .string(member.url) }
    }
}

extension KubeAPIServer {
    /// The base URL of member `cluster` through this server's cluster proxy, as a kubeconfig's
    /// `server` or kubectl's `--server`: `https://127.0.0.1:PORT/apis/cluster.karmada.io/v1alpha1/clusters/{cluster}/proxy`.
    public func clusterProxyURL(_ cluster: String) -> String {
        "\(url)/apis/cluster.karmada.io/v1alpha1/clusters/\(cluster)/proxy"
    }

    /// Runs `body` with a server playing Karmada for `users` and one member server for
    /// `memberUsers` per name in `members`, each with a Cluster of that name (seeded when
    /// missing, in `regions[name]` or `region-1`) and attached with ``attachMember(_:_:)``;
    /// stops them all after `body`.
    public static func withKarmada<Value>(
        users: [KubeAPIUser] = [.admin],
        members: [String],
        memberUsers: [KubeAPIUser] = [.admin],
        regions: [String: String] = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (KubeAPIServer, [String: KubeAPIServer]) async throws -> Value
    ) async throws -> Value {
        try await with(users: users) { karmada in
            try await withMembers(members[...], of: karmada, users: memberUsers, regions: regions, started: [:], body)
        }
    }

    private static func withMembers<Value>(
        _ names: ArraySlice<String>, of karmada: KubeAPIServer, users: [KubeAPIUser], regions: [String: String], started: [String: KubeAPIServer],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (KubeAPIServer, [String: KubeAPIServer]) async throws -> Value
    ) async throws -> Value {
        guard let name = names.first else { return try await body(karmada, started) }
        return try await with(users: users) { member in
            if karmada.object(.clusters, name) == nil { try karmada.seed(KubeAPIObjects.cluster(name, region: regions[name] ?? "region-1")) }
            try karmada.attachMember(name, member)
            var started = started
            started[name] = member
            return try await withMembers(names.dropFirst(), of: karmada, users: users, regions: regions, started: started, body)
        }
    }
}
