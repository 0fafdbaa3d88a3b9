import Foundation
import QuakeCore
import QuakeHTTP

/// What a run on real clusters would do, call by call, without changing anything: the plan's
/// nodes on the real ones, and for each fault the exact method, path, content type and body the
/// run would send, computed from the objects as they are now (read with GET, the only calls a dry
/// run makes), and how each is reverted (`quake run --target kubernetes --dry-run`).
public enum KubeDryRun {
    /// The lines for `plan` on `system`; `run` stands for the run's id in Quake's taints;
    /// `traffic` (what the run sends, its loads and probes) goes before the schedule.
    ///
    /// - Throws: ``KubeError`` when the plan cannot run there (a fault the API cannot make, a
    ///   missing node, an API that refuses a read).
    public static func actions(plan: Plan, system: KubeSystem, run: String = "<run id>", traffic: [String] = [], http: HTTPClient = HTTPClient()) async throws -> [String] {
        try KubeFaultPlanner.checkSupported(plan, hasKarmada: system.karmada != nil)
        var clients: [String: KubeClient] = [:]
        var lines = ["API servers (read now with GET; nothing is written):"]
        if let karmada = system.karmada {
            clients[KubeChange.karmada] = KubeClient(connection: karmada, http: http)
            lines.append("  karmada: \(karmada)")
        }
        for cluster in system.members.keys.sorted() {
            guard let connection = system.members[cluster] else { continue }
            clients[cluster] = KubeClient(connection: connection, http: http)
            lines.append("  \(cluster): \(connection)")
        }
        if let url = plan.target.prometheusURL {
            let reader = KubePrometheus(baseURL: url, plan: plan, origin: .now, windowCount: 1, http: http)
            let token = plan.target.prometheusTokenFile.map { ", with the bearer token in \($0)" } ?? ""
            lines.append("Prometheus \(reader.baseURL)\(token), asked every \(plan.target.window) for the windows not settled yet (query_range):")
            lines += reader.queries.map { "  \($0)" }
        }
        var maps: [String: KubeNodeMap] = [:]
        for cluster in plan.topology.clusters {
            guard let client = clients[cluster.name] else { continue }
            let map = try KubeNodeMap(cluster: cluster, nodeList: try await client.get("/api/v1/nodes"))
            maps[cluster.name] = map
            for (node, real) in map.nodes.sorted(by: { $0.key < $1.key }) { lines.append("  plan node \(node) is \(real)") }
        }
        let planner = KubeFaultPlanner(plan: plan, nodeMaps: maps)
        let istio = system.karmada != nil ? KubeChange.karmada : (system.members.keys.sorted().first ?? "")
        lines += traffic
        lines.append("schedule (times from the schedule's start; each change is journaled before it is sent):")
        for (index, spec) in plan.schedule.faults.enumerated() {
            let end = spec.end(experimentDuration: plan.schedule.duration)
            lines.append("  \(spec.at) inject \(spec.fault):")
            if case let .podKill(service, count, cluster) = spec.fault {
                let pods = try await KubernetesTarget.podsToKill(plan: plan, clients: clients, service: service, count: count, cluster: cluster, index: index)
                if pods.isEmpty { lines.append("    no pod of \(service) matches now") }
                for pod in pods { lines.append("    DELETE \(pod.server): \(pod.path)") }
                lines.append("  \(end) nothing to revert: the Deployment replaces the pods")
                continue
            }
            var reverts: [String] = []
            for target in try planner.targets(of: spec.fault) {
                let server = target.server(istio: istio)
                guard let client = clients[server] else { continue }
                let object = try await client.get(target.path)
                if let (taints, cordon) = KubeFaultPlanner.taints(for: target, run: run, mode: plan.target.kubeNodeFault) {
                    let (change, patch) = try TaintChange.inject(taints, cordon: cordon, into: object, at: target.path)
                    lines.append("    PATCH \(server): \(target.path) (\(KubeClient.PatchType.json.rawValue))")
                    lines.append("      \(patch)")
                    if case let .node(_, name) = target, plan.target.kubeNodeFault == .drain {
                        for pod in KubernetesTarget.drainable(try await client.get("/api/v1/pods", query: [("fieldSelector", "spec.nodeName=\(name)")])) {
                            lines.append("    POST \(server): \(pod)/eviction (policy/v1 Eviction; a 429 from a PodDisruptionBudget is reported, not forced)")
                        }
                    }
                    reverts.append("    PATCH \(server): \(target.path) (\(KubeClient.PatchType.json.rawValue)): remove \(change.taints.map(\.description).joined(separator: ", "))\(change.cordoned ? ", set spec.unschedulable false" : "") — each tested at its index then")
                } else if let block = VirtualServiceChange.faultBlock(spec.fault) {
                    let (_, patch) = try VirtualServiceChange.inject(block, into: object, at: target.path)
                    lines.append("    PATCH \(server): \(target.path) (\(KubeClient.PatchType.merge.rawValue))")
                    lines.append("      \(patch)")
                    reverts.append("    PATCH \(server): \(target.path) (\(KubeClient.PatchType.merge.rawValue)): spec.http as it is now, if nobody changed it since the fault")
                }
            }
            lines.append("  \(end) revert \(spec.fault), then read each object back to confirm:")
            lines += reverts.reversed()
        }
        for procedure in plan.schedule.procedures {
            lines += try await procedureLines(procedure, plan: plan, clients: clients, istio: istio, run: run)
        }
        return lines
    }

    /// The calls of `procedure`'s steps at their planned times (a step that waits for its effect
    /// moves the later ones), each weight shift computed on the VirtualService as the earlier
    /// shifts would leave it.
    static func procedureLines(_ procedure: Procedure, plan: Plan, clients: [String: KubeClient], istio: String, run: String) async throws -> [String] {
        var lines = ["  \(procedure.name) (its changes are journaled like a fault's and undone if the run stops before its own restoring steps):"]
        var shifted: [String: (object: KubeJSON, change: VirtualServiceChange)] = [:]
        let merge = KubeClient.PatchType.merge.rawValue, json = KubeClient.PatchType.json.rawValue
        for (step, start) in zip(procedure.steps, procedure.stepStarts) {
            lines.append("    \(start) \(step.action):")
            switch step.action {
            case let .shiftTraffic(service, cluster, weight):
                guard let vs = plan.virtualService(for: service), let client = clients[istio] else { continue }
                let path = KubeFaultPlanner.Target.virtualService(namespace: vs.namespace, name: vs.name).path
                let object: KubeJSON
                if let earlier = shifted[path] { object = earlier.object } else { object = try await client.get(path) }
                let (change, patch) = try VirtualServiceChange.shift(cluster: cluster, to: Int(weight.percent.rounded()), in: object, at: path,
                                                                     clusterOf: { host, subset in plan.destinationRule(for: host)?.cluster(ofSubset: subset) }, earlier: shifted[path]?.change)
                var after = object
                if case var .object(fields) = object, case var .object(spec)? = fields["spec"] {
                    spec["http"] = change.patched
                    fields["spec"] = .object(spec)
                    after = .object(fields)
                }
                shifted[path] = (after, change)
                lines += ["      PATCH \(istio): \(path) (\(merge))", "        \(patch)"]
            case let .restoreTraffic(service, _):
                guard let vs = plan.virtualService(for: service) else { continue }
                let path = KubeFaultPlanner.Target.virtualService(namespace: vs.namespace, name: vs.name).path
                lines.append("      PATCH \(istio): \(path) (\(merge)): spec.http as it was before the procedure, if nobody changed it since")
            case let .migrateWorkloads(cluster):
                let target = KubeFaultPlanner.Target.karmadaCluster(cluster)
                guard let client = clients[KubeChange.karmada], let (taints, cordon) = KubeFaultPlanner.taints(for: target, run: run) else { continue }
                let (_, patch) = try TaintChange.inject(taints, cordon: cordon, into: try await client.get(target.path), at: target.path)
                lines += ["      PATCH karmada: \(target.path) (\(json))", "        \(patch)",
                          "      then every window, at most \(step.action.confirmationTimeout ?? .zero): GET karmada: \(plan.services.map { KubernetesTarget.bindingPath($0.name, namespace: plan.target.kubeNamespace) }.joined(separator: ", ")) until none schedules replicas to \(cluster) or evicts from it"]
            case let .upgrade(cluster, takes):
                lines.append("      nothing is sent: \(cluster) is upgraded by its own tooling while Quake holds for \(takes)")
            case let .check(cluster, timeout):
                let karmada = clients[KubeChange.karmada] != nil ? "GET karmada: \(KubeFaultPlanner.Target.karmadaCluster(cluster).path) until Ready=True, and " : ""
                lines.append("      every window, at most \(timeout): \(karmada)GET \(cluster): /readyz until it answers")
            case let .restoreWorkloads(cluster):
                let path = KubeFaultPlanner.Target.karmadaCluster(cluster).path
                lines += ["      PATCH karmada: \(path) (\(json)): remove Quake's taints, each tested at its index then",
                          "      POST karmada: \(KubernetesTarget.rebalancerPath)", "        \(KubernetesTarget.rebalancer(plan: plan, run: run, cluster: cluster))"]
            case .pause:
                lines.append("      nothing is sent")
            }
        }
        return lines
    }
}
