import QuakeCore
import QuakeHTTP

/// The API servers a plan acts on: the Karmada control plane (Clusters, ResourceBindings, and the
/// Istio resources it propagates) if there is one, and each member cluster of the topology.
public struct KubeSystem: Sendable {
    /// Karmada's API server, when the plan names a Karmada context.
    public var karmada: KubeConnection?
    /// Each member cluster's API, by the topology's cluster name.
    public var members: [String: KubeConnection]

    /// A system from its connections.
    public init(karmada: KubeConnection?, members: [String: KubeConnection]) {
        self.karmada = karmada
        self.members = members
    }

    /// The connections of `plan`'s clusters from `kubeconfig`; `context` (the command line's
    /// `--context`) overrides the plan's `target.kubernetes.context`.
    ///
    /// - Throws: ``KubeError`` `config` naming the cluster that cannot be reached (no context and
    ///   no Karmada to proxy through) or the context that is missing.
    public init(plan: Plan, kubeconfig: Kubeconfig, context: String? = nil) throws {
        let settings = plan.target
        karmada = try settings.karmadaContext.map { try kubeconfig.connection(context: $0) }
        let clusters = plan.topology.clusters.map(\.name)
        let defaultContext = context ?? settings.kubeContext
        var members: [String: KubeConnection] = [:]
        for cluster in clusters {
            switch settings.kubeClusters[cluster] {
            case let .context(name)?:
                members[cluster] = try kubeconfig.connection(context: name)
            case .viaKarmada?:
                members[cluster] = try Self.proxy(karmada, cluster: cluster)
            case nil:
                if clusters.count == 1, let defaultContext {
                    members[cluster] = try kubeconfig.connection(context: defaultContext)
                } else if karmada != nil {
                    members[cluster] = try Self.proxy(karmada, cluster: cluster)
                } else if clusters.count == 1 {
                    members[cluster] = try kubeconfig.connection()
                } else {
                    throw KubeError(code: .config, message: "cluster \(cluster) has no way in: give target.kubernetes.clusters.\(cluster).context, or a karmadaContext to reach it through Karmada's proxy", location: cluster)
                }
            }
        }
        self.members = members
    }

    /// A connection to `cluster` through Karmada's cluster proxy.
    static func proxy(_ karmada: KubeConnection?, cluster: String) throws -> KubeConnection {
        guard var connection = karmada else {
            throw KubeError(code: .config, message: "cluster \(cluster) is to be reached through Karmada, but the plan names no target.kubernetes.karmadaContext", location: cluster)
        }
        connection.server += "/apis/cluster.karmada.io/v1alpha1/clusters/\(cluster)/proxy"
        connection.context += " (proxy to \(cluster))"
        return connection
    }

    /// The API server that holds the plan's Istio resources: Karmada's, which propagates them to
    /// the members, or the only member's.
    public var istio: KubeConnection? {
        karmada ?? (members.count == 1 ? members.values.first : nil)
    }

    /// What `--allow-target` must name for this system: the Karmada context, else the members'.
    public var name: String {
        karmada?.context ?? members.values.map(\.context).sorted().joined(separator: ",")
    }
}
