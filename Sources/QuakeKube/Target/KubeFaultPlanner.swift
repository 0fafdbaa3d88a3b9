import QuakeCore

/// Which API objects each fault of a plan acts on, on a real system: the node, zone and cluster
/// paths and the VirtualService, from the plan's topology, the member clusters' nodes and the
/// plan's Istio resources. Pure, so that a run and `--dry-run` name the same objects.
public struct KubeFaultPlanner: Sendable {
    /// One object a fault changes, and how.
    public enum Target: Sendable, Equatable {
        /// Taint (and cordon) a Node of a member cluster.
        case node(cluster: String, name: String)
        /// Taint a Karmada Cluster (NoExecute and NoSchedule).
        case karmadaCluster(String)
        /// Put a fault block on a VirtualService's routes.
        case virtualService(namespace: String, name: String)

        /// The object's API path.
        public var path: String {
            switch self {
            case let .node(_, name): return "/api/v1/nodes/\(name)"
            case let .karmadaCluster(name): return "/apis/cluster.karmada.io/v1alpha1/clusters/\(name)"
            case let .virtualService(namespace, name): return "/apis/networking.istio.io/v1/namespaces/\(namespace)/virtualservices/\(name)"
            }
        }

        /// The API server it lives on (``KubeChange/on``): a member cluster, or Karmada.
        public func server(istio: String) -> String {
            switch self {
            case let .node(cluster, _): return cluster
            case .karmadaCluster: return KubeChange.karmada
            case .virtualService: return istio
            }
        }
    }

    public let plan: Plan
    /// Each member cluster's node map.
    public let nodeMaps: [String: KubeNodeMap]

    /// A planner for `plan` over the clusters' `nodeMaps`.
    public init(plan: Plan, nodeMaps: [String: KubeNodeMap]) {
        self.plan = plan
        self.nodeMaps = nodeMaps
    }

    /// Faults a real system cannot be given through its APIs, refused before anything runs.
    ///
    /// - Throws: ``KubeError`` `config` naming the fault.
    public static func checkSupported(_ plan: Plan, hasKarmada: Bool) throws {
        for spec in plan.schedule.faults {
            switch spec.fault {
            case .nodeHang:
                throw KubeError(code: .config, message: "a node hang needs the node itself (stop its kubelet or its VM); through the API use node-crash (cordon and NoExecute taint)", location: spec.fault.description)
            case .partition:
                throw KubeError(code: .config, message: "a partition needs the network itself (network policies or the cloud's firewall); Quake does not make it through the API", location: spec.fault.description)
            case .clusterOutage, .regionOutage:
                if !hasKarmada {
                    throw KubeError(code: .config, message: "a cluster fault taints the Karmada Cluster: give target.kubernetes.karmadaContext", location: spec.fault.description)
                }
            case let .httpAbort(service, _, _), let .httpDelay(service, _, _):
                if plan.virtualService(for: service) == nil {
                    throw KubeError(code: .config, message: "an HTTP fault goes on the VirtualService of \(service), and the plan's trafficPolicy has none listing it among its hosts", location: spec.fault.description)
                }
            case .nodeCrash, .zoneOutage, .podKill:
                break
            }
        }
        for procedure in plan.schedule.procedures {
            for step in procedure.steps { try checkSupported(step.action, of: procedure, plan: plan, hasKarmada: hasKarmada) }
        }
    }

    /// A procedure step a real system cannot be given: a traffic shift with no VirtualService
    /// destination in the cluster, or a workload step without Karmada.
    private static func checkSupported(_ action: ProcedureAction, of procedure: Procedure, plan: Plan, hasKarmada: Bool) throws {
        let location = "\(procedure.name): \(action.kind)"
        switch action {
        case let .shiftTraffic(service, cluster, _), let .restoreTraffic(service, cluster):
            guard let vs = plan.virtualService(for: service) else {
                throw KubeError(code: .config, message: "shifting \(service)'s traffic changes the weights of its VirtualService, and the plan's trafficPolicy has none listing it among its hosts", location: location)
            }
            let destinations = vs.routes.flatMap(\.destinations)
            guard destinations.contains(where: { d in d.subset.flatMap { plan.destinationRule(for: d.host)?.cluster(ofSubset: $0) } == cluster }) else {
                throw KubeError(code: .config, message: "VirtualService \(vs.name) has no destination whose subset selects \(cluster) (a DestinationRule subset with topology.istio.io/cluster: \(cluster))", location: location)
            }
        case .migrateWorkloads, .restoreWorkloads:
            if !hasKarmada {
                throw KubeError(code: .config, message: "moving workloads taints the Karmada Cluster: give target.kubernetes.karmadaContext", location: location)
            }
        case .upgrade, .check, .pause:
            break
        }
    }

    /// The objects `fault` changes, in the order they are changed.
    ///
    /// - Throws: ``KubeError`` `config` when a plan node has no real node.
    public func targets(of fault: Fault) throws -> [Target] {
        switch fault {
        case let .nodeCrash(node), let .nodeHang(node):
            guard let cluster = plan.topology.node(named: node)?.locality.cluster, let real = nodeMaps[cluster]?.nodes[node] else {
                throw KubeError(code: .config, message: "no real node stands for \(node)", location: fault.description)
            }
            return [.node(cluster: cluster, name: real)]
        case let .zoneOutage(region, cluster, zone):
            let clusters = plan.topology.region(named: region)?.clusters.filter { cluster == nil || $0.name == cluster } ?? []
            return clusters.flatMap { c in (nodeMaps[c.name]?.zones[zone] ?? []).map { Target.node(cluster: c.name, name: $0) } }
        case let .clusterOutage(cluster):
            return [.karmadaCluster(cluster)]
        case let .regionOutage(region):
            return (plan.topology.region(named: region)?.clusters ?? []).map { .karmadaCluster($0.name) }
        case let .httpAbort(service, _, _), let .httpDelay(service, _, _):
            guard let vs = plan.virtualService(for: service) else { return [] }
            return [.virtualService(namespace: vs.namespace, name: vs.name)]
        case .podKill, .partition:
            return []
        }
    }

    /// The taints a fault puts on its targets: on nodes a cordon, with Quake's NoExecute taint, the
    /// out-of-service taint, or none for a drain (`mode`); NoExecute and its NoSchedule twin on
    /// Karmada Clusters, so nothing is scheduled back (SEMANTICS §5.2).
    public static func taints(for target: Target, run: String, mode: KubeNodeFault = .taint) -> (taints: [KubeTaint], cordon: Bool)? {
        switch target {
        case .node:
            switch mode {
            case .taint: return ([.chaos(run: run)], true)
            case .outOfService: return ([.outOfService], true)
            case .drain: return ([], true)
            }
        case .karmadaCluster: return ([.chaos(run: run), .chaos(run: run, effect: "NoSchedule")], false)
        case .virtualService: return nil
        }
    }
}
