/// One decision of the Kubernetes and Karmada control planes about a pod, at a time of the run: the
/// model's control plane, replayed by the lab on real processes and Envoy endpoints so that both
/// targets place, evict and replace pods by the same code.
public struct ControlPlaneChange: Sendable, Equatable, CustomStringConvertible {
    /// What happened to the pod.
    public enum Kind: Sendable, Equatable {
        /// kube-scheduler placed a new pod on `node`; its process starts now.
        case created(service: String, node: String, locality: Locality)
        /// The pod passed its readiness probe.
        case ready
        /// istiod pushed the pod's endpoint to every Envoy (`added`) or took it away.
        case endpoint(added: Bool)
        /// The pod was deleted (evicted, killed, scaled down); its process is stopped.
        case deleted
    }

    /// When, from the start of the run.
    public var at: TimeSpan
    /// The pod's name, unique in the run.
    public var pod: String
    /// What happened.
    public var kind: Kind

    /// A change from its parts.
    public init(at: TimeSpan, pod: String, kind: Kind) {
        self.at = at
        self.pod = pod
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case let .created(service, node, _): return "\(at) \(pod) created (\(service) on \(node))"
        case .ready: return "\(at) \(pod) ready"
        case let .endpoint(added): return "\(at) \(pod) endpoint \(added ? "added" : "removed")"
        case .deleted: return "\(at) \(pod) deleted"
        }
    }
}
