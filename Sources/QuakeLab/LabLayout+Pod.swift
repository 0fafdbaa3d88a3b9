import QuakeCore

extension LabLayout {
    /// One pod process of the lab: a replica of a service on a node, serving on its own loopback port.
    public struct Pod: Sendable, Hashable {
        /// The pod's name, as the model names it: `<service>-<cluster>-<n>`, n counting every pod
        /// created in the run.
        public var name: String
        /// The service the pod is a replica of.
        public var service: String
        /// The Karmada member cluster the pod runs in.
        public var cluster: String
        /// The node kube-scheduler put it on.
        public var node: String
        /// The node's region, cluster and zone.
        public var locality: Locality
        /// The 127.0.0.1 port the pod serves on.
        public var port: Int

        /// A pod from its parts.
        public init(name: String, service: String, cluster: String, node: String, locality: Locality, port: Int) {
            self.name = name
            self.service = service
            self.cluster = cluster
            self.node = node
            self.locality = locality
            self.port = port
        }

        /// `127.0.0.1:<port>`, the address Envoy's EDS and access log name the pod by.
        public var address: String { "127.0.0.1:\(port)" }

        /// The pod's labels as Istio and Karmada see them: the service's labels plus the topology
        /// labels of its node (`topology.kubernetes.io/region`, `…/zone`, `topology.istio.io/cluster`)
        /// and `kubernetes.io/hostname`.
        public func labels(service spec: ServiceSpec?) -> [String: String] {
            var labels = LocalityPriority.labels(of: locality, extra: spec?.labels ?? ["app": service])
            labels["kubernetes.io/hostname"] = node
            return labels
        }
    }
}
