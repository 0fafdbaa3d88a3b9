import Foundation
import QuakeCore
import QuakeHTTP

/// What a run on real clusters would do, call by call, without changing anything: the plan's
/// nodes on the real ones, and for each fault the exact method, path, content type and body the
/// run would send, computed from the objects as they are now (read with GET, the only calls a dry
/// run makes), and how each is reverted (`quake run --target kubernetes --dry-run`).
public enum KubeDryRun {
    /// The lines for `plan` on `system`; `run` stands for the run's id in Quake's taints.
    ///
    /// - Throws: ``KubeError`` when the plan cannot run there (a fault the API cannot make, a
    ///   missing node, an API that refuses a read).
    public static func actions(plan: Plan, system: KubeSystem, run: String = "<run id>", http: HTTPClient = HTTPClient()) async throws -> [String] {
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
            lines.append("Prometheus \(reader.baseURL), asked every \(plan.target.window) for the windows not settled yet (query_range):")
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
        return lines
    }
}
