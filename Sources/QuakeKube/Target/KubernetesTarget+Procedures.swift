import QuakeCore

/// The talk's cluster canary upgrade on real clusters (SEMANTICS §5.3): VirtualService weights
/// shifted and put back, the Karmada Cluster tainted until its workloads have left, the cluster's
/// readiness checked, the taints removed and a WorkloadRebalancer applied. Every change is kept
/// (and journaled) under the procedure's index like a fault's, so a run that stops half-way
/// undoes it.
extension KubernetesTarget {
    public func perform(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws {
        switch step.action {
        case let .shiftTraffic(service, cluster, weight):
            try await shiftTraffic(of: service, in: cluster, to: Int(weight.percent.rounded()), index: index)
        case let .restoreTraffic(service, _):
            let path = try virtualServiceTarget(of: service).path
            try await revertChanges(of: index) { $0.virtualService?.path == path }
        case let .migrateWorkloads(cluster):
            let target = KubeFaultPlanner.Target.karmadaCluster(cluster)
            guard let (taints, cordon) = KubeFaultPlanner.taints(for: target, run: run) else { return }
            try await taint(target, with: taints, cordon: cordon, index: index)
        case let .upgrade(cluster, takes):
            events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name,
                                        detail: "\(cluster) is upgraded now by its own tooling: Quake does not upgrade clusters, it holds the procedure for \(takes)"))
        case let .restoreWorkloads(cluster):
            let path = KubeFaultPlanner.Target.karmadaCluster(cluster).path
            try await revertChanges(of: index) { $0.taint?.path == path }
            try await rebalance(procedure: procedure, cluster: cluster)
        case .check, .pause:
            break
        }
    }

    public func isComplete(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws -> Bool {
        switch step.action {
        case let .check(cluster, _):
            guard try await isReady(cluster) else { return false }
            events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name, detail: "check passed: \(cluster) is Ready and answers /readyz"))
            return true
        case let .migrateWorkloads(cluster):
            guard try await workloadsLeft(cluster) else { return false }
            events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name,
                                        detail: "the workloads left \(cluster): no ResourceBinding schedules replicas to it and no graceful eviction from it is pending"))
            return true
        default:
            return true
        }
    }

    public func revert(_ procedure: Procedure, index: Int) async throws {
        try await revertChanges(of: index)
    }

    /// The VirtualService of the plan that lists `service` among its hosts.
    private func virtualServiceTarget(of service: String) throws -> KubeFaultPlanner.Target {
        guard let vs = plan.virtualService(for: service) else {
            throw KubeError(code: .config, message: "the plan's trafficPolicy has no VirtualService listing \(service) among its hosts", location: service)
        }
        return .virtualService(namespace: vs.namespace, name: vs.name)
    }

    /// Sets the weight of `service`'s destinations in `cluster` on its VirtualService, keeping the
    /// list from before the procedure for the revert.
    private func shiftTraffic(of service: String, in cluster: String, to weight: Int, index: Int) async throws {
        let target = try virtualServiceTarget(of: service)
        let (server, client) = try connection(for: target)
        let earlier = changes[index]?.last { $0.virtualService?.path == target.path }?.virtualService
        let plan = plan
        let (change, patch) = try VirtualServiceChange.shift(cluster: cluster, to: weight, in: try await client.get(target.path), at: target.path,
                                                             clusterOf: { host, subset in plan.destinationRule(for: host)?.cluster(ofSubset: subset) }, earlier: earlier)
        try note(KubeChange(on: server, virtualService: change), index: index)
        _ = try await client.patch(target.path, .merge, patch)
    }

    /// Whether Karmada's Cluster (when there is a Karmada) is Ready and the member's API server
    /// answers `/readyz`; a call that fails is a "not yet".
    private func isReady(_ cluster: String) async throws -> Bool {
        do {
            if let karmada = clients[KubeChange.karmada] {
                let object = try await karmada.get(KubeFaultPlanner.Target.karmadaCluster(cluster).path)
                let ready = object[path: "status.conditions"]?.array?.first { $0["type"]?.string == "Ready" }
                guard ready?["status"]?.string == "True" else { return false }
            }
            guard let member = clients[cluster] else { return false }
            _ = try await member.send(.get, "/readyz")
            return true
        } catch is KubeError {
            return false
        }
    }

    /// Whether no ResourceBinding of the plan's services (Karmada names a Deployment's
    /// `<name>-deployment`) schedules replicas to `cluster` or has a graceful eviction from it pending.
    private func workloadsLeft(_ cluster: String) async throws -> Bool {
        guard let karmada = clients[KubeChange.karmada] else { return true }
        for service in plan.services.map(\.name) {
            let binding: KubeJSON
            do {
                binding = try await karmada.get(Self.bindingPath(service, namespace: plan.target.kubeNamespace))
            } catch let error as KubeError where error.code == .notFound {
                continue
            }
            let scheduled = binding[path: "spec.clusters"]?.array ?? []
            if scheduled.contains(where: { $0["name"]?.string == cluster && ($0["replicas"]?.number ?? 1) > 0 }) { return false }
            let evictions = binding[path: "spec.gracefulEvictionTasks"]?.array ?? []
            if evictions.contains(where: { $0["fromCluster"]?.string == cluster }) { return false }
        }
        return true
    }

    /// The API path of the ResourceBinding Karmada keeps for `service`'s Deployment.
    static func bindingPath(_ service: String, namespace: String) -> String {
        "/apis/work.karmada.io/v1alpha2/namespaces/\(namespace)/resourcebindings/\(service)-deployment"
    }

    /// Applies a WorkloadRebalancer for the plan's Deployments, so that Karmada schedules them
    /// afresh now `cluster` takes workloads again (nothing moves back on its own, SEMANTICS §2.4).
    /// Karmada deletes it five minutes after it finished; a second call finds it there.
    private func rebalance(procedure: Procedure, cluster: String) async throws {
        guard let karmada = clients[KubeChange.karmada] else { return }
        do {
            _ = try await karmada.post(Self.rebalancerPath, Self.rebalancer(plan: plan, run: run, cluster: cluster))
        } catch let error as KubeError where error.code == .conflict {
            return
        }
        events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name, detail: "WorkloadRebalancer \(Self.rebalancerName(run: run, cluster: cluster)) applied: Karmada reschedules \(plan.services.map(\.name).joined(separator: ", "))"))
    }

    /// Where WorkloadRebalancers are created (cluster-scoped).
    static let rebalancerPath = "/apis/apps.karmada.io/v1alpha1/workloadrebalancers"

    /// `quake-<run>-<cluster>` as an object name may be written.
    static func rebalancerName(run: String, cluster: String) -> String {
        KubeNames.objectName("quake-\(run)-\(cluster)")
    }

    /// The WorkloadRebalancer a `restore-workloads` step applies for `plan`'s Deployments.
    static func rebalancer(plan: Plan, run: String, cluster: String) -> KubeJSON {
        let workloads = plan.services.map { service -> KubeJSON in
            ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(service.name), "namespace": .string(plan.target.kubeNamespace)]
        }
        return ["apiVersion": "apps.karmada.io/v1alpha1", "kind": "WorkloadRebalancer",
                "metadata": ["name": .string(rebalancerName(run: run, cluster: cluster))],
                "spec": ["workloads": .array(workloads), "ttlSecondsAfterFinished": 300]]
    }
}
