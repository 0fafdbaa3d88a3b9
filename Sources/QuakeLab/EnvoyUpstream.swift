import QuakeCore

/// One upstream (Envoy) cluster of the lab's mesh: a service, or one subset of it that its
/// DestinationRule declares, named as Istio names it: `outbound|<port>|<subset>|<svc>.<ns>.svc.cluster.local`.
///
/// Every lab Envoy has the same upstreams; only their endpoints' priorities differ by client
/// locality. The name is what Envoy's stats (`envoy_cluster_name`) and the access log's
/// `upstream_cluster` show, and what QuakeObserve maps back to the service.
public struct EnvoyUpstream: Sendable, Hashable {
    /// The service whose pods are the endpoints.
    public var service: String
    /// The service's namespace.
    public var namespace: String
    /// The service's port.
    public var port: Int
    /// The DestinationRule subset, nil for the whole service.
    public var subset: String?
    /// The pod labels the subset selects (empty for the whole service).
    public var subsetLabels: [String: String]

    /// An upstream from its parts.
    public init(service: String, namespace: String = "default", port: Int = 8080, subset: String? = nil, subsetLabels: [String: String] = [:]) {
        self.service = service
        self.namespace = namespace
        self.port = port
        self.subset = subset
        self.subsetLabels = subsetLabels
    }

    /// Istio's cluster name: `outbound|8080||svc2.default.svc.cluster.local`, or with the subset
    /// between the bars.
    public var name: String { "outbound|\(port)|\(subset ?? "")|\(service).\(namespace).svc.cluster.local" }

    /// A file-name-safe name: `svc2`, or `svc2.cluster1` for a subset (Kubernetes names have no dots).
    public var fileStem: String { subset.map { "\(service).\($0)" } ?? service }

    /// Whether a pod with `labels` is an endpoint of this upstream.
    public func selects(labels: [String: String]) -> Bool {
        subsetLabels.allSatisfy { labels[$0.key] == $0.value }
    }

    /// The pods among `pods` that are endpoints of this upstream.
    public func endpoints(among pods: [LabLayout.Pod], plan: Plan) -> [LabLayout.Pod] {
        let spec = plan.service(named: service)
        return pods.filter { $0.service == service && selects(labels: $0.labels(service: spec)) }
    }

    /// The upstreams of `plan`: for each service in plan order, the whole service, then each subset
    /// of its DestinationRule in order.
    public static func all(in plan: Plan) -> [EnvoyUpstream] {
        plan.services.flatMap { service -> [EnvoyUpstream] in
            let whole = EnvoyUpstream(service: service.name, namespace: service.namespace, port: service.port)
            let subsets = plan.destinationRule(for: service.name)?.subsets ?? []
            return [whole] + subsets.map {
                EnvoyUpstream(service: service.name, namespace: service.namespace, port: service.port, subset: $0.name, subsetLabels: $0.labels)
            }
        }
    }

    /// The upstream that a VirtualService destination (`host`, `subset`) names in `plan`, if the host
    /// is a service of the plan (an unknown subset falls back to the whole service).
    public static func destination(host: String, subset: String?, in plan: Plan) -> EnvoyUpstream? {
        let upstreams = all(in: plan).filter { $0.service == host }
        return upstreams.first { $0.subset == subset } ?? upstreams.first { $0.subset == nil }
    }
}
