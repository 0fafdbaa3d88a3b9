import QuakeCore

extension KubernetesTarget {
    /// The informers of the plan's workloads, each with the server it runs on and what it follows:
    /// the EndpointSlices of the plan's services in `target.kubernetes.namespace` on each member
    /// (`labelSelector=kubernetes.io/service-name in (…)`), and with Karmada its ResourceBindings
    /// in that namespace (those of the plan's services are read, SEMANTICS §5.2).
    static func workloadInformers(plan: Plan, clients: [String: KubeClient]) -> [(KubeInformer, String, KubeObserver.Source)] {
        let namespace = plan.target.kubeNamespace
        let services = plan.services.map(\.name).sorted()
        guard !services.isEmpty else { return [] }
        let selector = "\(KubeEndpointSlice.serviceLabel) in (\(services.joined(separator: ",")))"
        var informers: [(KubeInformer, String, KubeObserver.Source)] = plan.topology.clusters.compactMap { cluster in
            clients[cluster.name].map {
                (KubeInformer(client: $0, path: "/apis/discovery.k8s.io/v1/namespaces/\(namespace)/endpointslices", query: [("labelSelector", selector)]), cluster.name, .endpointSlices)
            }
        }
        if let karmada = clients[KubeChange.karmada] {
            informers.append((KubeInformer(client: karmada, path: "/apis/work.karmada.io/v1alpha2/namespaces/\(namespace)/resourcebindings"), KubeChange.karmada,
                              .bindings(services: bindingNames(plan))))
        }
        return informers
    }

    /// The ResourceBinding Karmada makes for each of the plan's services, `lowercase(<name>-<kind>)`
    /// (SEMANTICS §2.7), to the service.
    static func bindingNames(_ plan: Plan) -> [String: String] {
        Dictionary(plan.services.map { ("\($0.name)-\($0.workloadKind.rawValue)".lowercased(), $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}
