import QuakeCore

/// What the lab runs for a plan, and on which loopback ports: the pods at the start (one process
/// per replica), one Envoy per client locality, Prometheus; and later pods as they are created.
///
/// Pure and deterministic: the same plan and base port give the same pods on the same nodes with
/// the same names and ports. Pods are placed as the model places them: Karmada's division of each
/// service's replicas over its clusters (`ReplicaDivision`), then kube-scheduler's node choice
/// (`KubeScheduler`), service by service in plan order and cluster by cluster in topology order.
///
/// Ports, from the base port up: Prometheus; each Envoy's listener and admin port, in Envoy order;
/// then the pods, in creation order, with later pods continuing from `ports`.
public struct LabLayout: Sendable {
    /// The first port the lab uses.
    public let basePort: Int
    /// Prometheus's web port (its API and `/-/ready`).
    public let prometheusPort: Int
    /// One Envoy per client locality, in topology order.
    public let envoys: [Envoy]
    /// The pods that exist now, in creation order.
    public private(set) var pods: [Pod]
    /// Replicas that found no node with room when they were to be created (kube-scheduler leaves them
    /// Pending), as service and cluster.
    public private(set) var pendingPods: [(service: String, cluster: String)]
    /// The ports still free for pods created later.
    public private(set) var ports: LabPortAllocator
    /// Pods created so far, gone ones included (the number in the next pod's name).
    public private(set) var createdPods: Int
    private let topology: Topology
    private let services: [ServiceSpec]

    /// The layout at the start of `plan`, from `basePort` (the plan's `target.lab.basePort` if nil).
    ///
    /// - Throws: `LabError` `.config` when the ports would run past 65535.
    public init(plan: Plan, basePort: Int? = nil) throws(LabError) {
        let base = basePort ?? plan.target.labBasePort
        var ports = LabPortAllocator(first: base)
        self.basePort = base
        self.prometheusPort = try ports.next()
        var envoys: [Envoy] = []
        for locality in Self.clientLocalities(of: plan) {
            let listener = try ports.next()
            let admin = try ports.next()
            envoys.append(Envoy(name: "envoy-\(locality.cluster)-\(locality.zone)", locality: locality, listenerPort: listener, adminPort: admin, baseID: admin,
                                sourceAddress: Envoy.sourceAddress(index: envoys.count)))
        }
        self.envoys = envoys
        self.ports = ports
        self.pods = []
        self.pendingPods = []
        self.createdPods = 0
        self.topology = plan.topology
        self.services = plan.services
        for service in plan.services {
            let policy = plan.propagationPolicy(for: service)
            let candidates = ReplicaDivision.candidates(for: policy, in: plan.topology)
            let division = ReplicaDivision.divide(replicas: service.replicas, over: candidates, mode: policy?.replicaScheduling.mode ?? ReplicaScheduling().mode)
            for cluster in plan.topology.clusters {
                for _ in 0..<(division[cluster.name] ?? 0) {
                    if try placePod(service: service.name, cluster: cluster.name) == nil {
                        pendingPods.append((service.name, cluster.name))
                    }
                }
            }
        }
    }

    /// The Envoy of client locality `locality`, if the lab runs one there.
    public func envoy(for locality: Locality) -> Envoy? { envoys.first { $0.locality == locality } }

    /// The pods of `service` that exist now.
    public func pods(of service: String) -> [Pod] { pods.filter { $0.service == service } }

    /// Creates a pod of `service` in `cluster` on the node kube-scheduler picks among the nodes for
    /// which `schedulable` holds (Ready and without NoSchedule; every node by default), with the next
    /// free port; nil when no such node has room (the pod stays Pending: nothing is recorded).
    ///
    /// - Throws: `LabError` `.config` when no port is left.
    @discardableResult
    public mutating func placePod(service: String, cluster: String, schedulable: (ClusterNode) -> Bool = { _ in true }) throws(LabError) -> Pod? {
        guard let nodes = topology.cluster(named: cluster)?.nodes else { return nil }
        var perNode: [String: (all: Int, service: Int)] = [:]
        for pod in pods where pod.cluster == cluster {
            perNode[pod.node, default: (0, 0)].all += 1
            if pod.service == service { perNode[pod.node, default: (0, 0)].service += 1 }
        }
        let views = nodes.map { node in
            KubeScheduler.NodeView(zone: node.locality.zone, schedulable: schedulable(node), pods: perNode[node.name]?.all ?? 0, capacity: node.podCapacity, servicePods: perNode[node.name]?.service ?? 0)
        }
        guard let chosen = KubeScheduler.chooseNode(views) else { return nil }
        let node = nodes[chosen]
        let pod = Pod(name: "\(service)-\(cluster)-\(createdPods)", service: service, cluster: cluster, node: node.name, locality: node.locality, port: try ports.next())
        createdPods += 1
        pods.append(pod)
        return pod
    }

    /// Records a pod that the control plane placed (named `name`, on `node`) with the next free port.
    ///
    /// - Throws: `LabError` `.config` when no port is left.
    public mutating func addPod(name: String, service: String, cluster: String, node: String, locality: Locality) throws(LabError) -> Pod {
        let pod = Pod(name: name, service: service, cluster: cluster, node: node, locality: locality, port: try ports.next())
        createdPods += 1
        pods.append(pod)
        return pod
    }

    /// Forgets the pod named `name` (deleted or evicted) and returns it; its port is not reused.
    @discardableResult
    public mutating func removePod(named name: String) -> Pod? {
        guard let i = pods.firstIndex(where: { $0.name == name }) else { return nil }
        return pods.remove(at: i)
    }

    /// The plan's service named `name`.
    public func service(named name: String) -> ServiceSpec? { services.first { $0.name == name } }

    /// The client localities that get an Envoy, in topology order: every locality load or a service
    /// probe comes from, and every zone where a service that calls others may run — every zone of every
    /// cluster its propagation policy's affinity admits, not only where it starts, so that a pod
    /// rescheduled by the control plane finds its locality's Envoy already running.
    public static func clientLocalities(of plan: Plan) -> [Locality] {
        var wanted = Set(plan.traffic.map(\.from))
        for probe in plan.probes {
            if case let .service(_, from) = probe.target { wanted.insert(from) }
        }
        for service in plan.services where !service.calls.isEmpty {
            let affinity = plan.propagationPolicy(for: service)?.clusterAffinity
            for cluster in plan.topology.clusters where affinity?.admits(cluster) ?? true {
                for zone in cluster.zones { wanted.insert(Locality(region: cluster.region, cluster: cluster.name, zone: zone.name)) }
            }
        }
        var ordered: [Locality] = []
        for cluster in plan.topology.clusters {
            for zone in cluster.zones {
                let locality = Locality(region: cluster.region, cluster: cluster.name, zone: zone.name)
                if wanted.remove(locality) != nil { ordered.append(locality) }
            }
        }
        // Localities outside the topology (a plan that was not validated) come last, by name.
        return ordered + wanted.sorted { $0.description < $1.description }
    }
}
