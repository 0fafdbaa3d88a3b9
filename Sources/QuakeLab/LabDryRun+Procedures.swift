import QuakeCore

extension LabDryRun {
    /// The lines of procedure step `s` of `procedure`, started at `at`, as ``LabTarget`` would
    /// perform it: the weight runtime keys and admin URLs of a traffic shift or restore (after
    /// the shifts before it, kept in `routes`), the signals of an upgrade, what a check or a
    /// migration waits for.
    ///
    /// - Throws: ``LabError`` `config` when the shift cannot be made (every destination at 0).
    static func stepLines(_ procedure: Procedure, step s: Int, at: TimeSpan, plan: Plan, layout: LabLayout,
                          routes: inout [String: RouteWeights], runtime: ([(key: String, value: String)]) -> [String]) throws -> [String] {
        let step = procedure.steps[s]
        var lines = ["  \(at) \(procedure.name): step \(s + 1)/\(procedure.steps.count): \(step.action)"]
        func weights(_ service: String) -> RouteWeights? {
            routes[service] ?? plan.service(named: service).map { RouteWeights(service: $0, plan: plan) }
        }
        switch step.action {
        case let .shiftTraffic(service, cluster, weight):
            guard var route = weights(service) else { break }
            lines += runtime(try route.shift(cluster: cluster, to: Int(weight.percent.rounded())))
            routes[service] = route
        case let .restoreTraffic(service, cluster):
            guard var route = weights(service) else { break }
            let pairs = route.restore(cluster: cluster)
            lines += pairs.isEmpty ? ["    nothing: \(service)'s weights in \(cluster) are as the VirtualService has them"] : runtime(pairs)
            routes[service] = route
        case let .upgrade(cluster, takes):
            for node in BlastRadius.nodesDown(by: .clusterOutage(cluster: cluster), in: plan.topology) {
                let pods = layout.pods.filter { $0.node == node }
                lines.append("    SIGKILL the pods of \(node): \(pods.isEmpty ? "(no pod)" : pods.map { "\($0.name) (\($0.address))" }.joined(separator: ", "))")
            }
            lines.append("    at \(at + takes) the upgrade is done: the pods the control plane did not delete start again, listening after their service's startupTime")
        case let .check(cluster, timeout):
            lines.append("    wait (at most \(timeout), asked every window) until \(cluster)'s pods run and the control plane's last word on it is not NotReady")
        case let .migrateWorkloads(cluster):
            if plan.controlPlane.karmadaTaintManagerEvicts {
                lines.append("    the control plane taints \(cluster) and evicts its workloads (below); wait (at most \(step.action.confirmationTimeout ?? .zero), asked every window) until no pod is left on it")
            } else {
                lines.append("    the control plane taints \(cluster), but Karmada's taint manager does not evict: nothing leaves, the procedure goes on")
            }
        case let .restoreWorkloads(cluster):
            lines.append("    the control plane untaints \(cluster) and rebalances the workloads (below)")
        case .pause:
            break
        }
        return lines
    }
}
