import QuakeCore
import Yams

extension PlanDecoder {
    static let stepKinds = ["shift-traffic", "restore-traffic", "migrate-workloads", "upgrade", "check", "restore-workloads", "pause"]

    /// A procedure is either the built-in `procedure: cluster-canary-upgrade` or a list of `steps`.
    func decodeProcedure(_ node: Node, _ path: String, experiment: TimeSpan) -> Procedure? {
        let keys = ["name", "at", "procedure", "cluster", "services", "upgradeTakes", "settle", "steps"]
        guard let m = reader.mapping(node, path, keys: keys, required: ["at"], what: "a procedure") else { return nil }
        guard let at = m["at"].flatMap({ reader.duration($0, m.path("at")) }) else { return nil }
        var procedure: Procedure?
        switch (m["procedure"], m["steps"]) {
        case let (kind?, nil):
            guard reader.choice(kind, m.path("procedure"), among: ["cluster-canary-upgrade"]) != nil else { return nil }
            guard let clusterNode = m["cluster"] else {
                reader.error(node, path, "cluster-canary-upgrade needs 'cluster'")
                return nil
            }
            guard let cluster = resolveCluster(clusterNode, m.path("cluster")) else { return nil }
            let serviceNames = m["services"].flatMap { n in reader.sequence(n, m.path("services"), of: "services")?.enumerated().compactMap { resolveService($1, "\(m.path("services"))[\($0)]") } } ?? services.map(\.name)
            let takes = m["upgradeTakes"].flatMap { reader.duration($0, m.path("upgradeTakes")) } ?? .minutes(5)
            let settle = m["settle"].flatMap { reader.duration($0, m.path("settle")) } ?? .minutes(2)
            procedure = .clusterCanaryUpgrade(cluster: cluster, services: serviceNames, at: at, upgradeTakes: takes, settle: settle)
            if let name = m["name"].flatMap({ reader.string($0, m.path("name")) }) { procedure?.name = name }
        case let (nil, stepsNode?):
            for key in ["cluster", "services", "upgradeTakes", "settle"] where m.has(key) {
                reader.error(m.entries.first { $0.key == key }?.keyNode, m.path(key), "'\(key)' belongs to 'procedure: cluster-canary-upgrade'; with 'steps' each step names its own")
            }
            let steps = (reader.sequence(stepsNode, m.path("steps"), of: "steps") ?? []).enumerated().compactMap { decodeStep($1, "\(m.path("steps"))[\($0)]") }
            if steps.isEmpty { reader.error(stepsNode, m.path("steps"), "a procedure needs at least one step") }
            let name = m["name"].flatMap { reader.string($0, m.path("name")) } ?? "procedure at \(at)"
            procedure = Procedure(name: name, at: at, steps: steps)
        default:
            if !m.hadUnknownKeys { reader.error(node, path, "a procedure has either 'procedure: cluster-canary-upgrade' or a list of 'steps'") }
        }
        if let procedure, experiment > .zero, procedure.end > experiment, let n = m["at"] {
            reader.error(n, m.path("at"), "'\(procedure.name)' ends at \(procedure.end), after the end of the experiment (\(experiment))")
        }
        return procedure
    }

    private func decodeStep(_ node: Node, _ path: String) -> ProcedureStep? {
        guard let m = reader.mapping(node, path, keys: ["step", "service", "cluster", "weight", "takes", "timeout", "wait"], required: ["step"], what: "a step") else { return nil }
        guard let kind = m["step"].flatMap({ reader.choice($0, m.path("step"), among: Self.stepKinds) }) else { return nil }
        let wait = m["wait"].flatMap { reader.duration($0, m.path("wait")) } ?? .zero
        func cluster() -> String? {
            guard let n = m["cluster"] else { reader.error(node, path, "\(kind) needs 'cluster'"); return nil }
            return resolveCluster(n, m.path("cluster"))
        }
        func service() -> String? {
            guard let n = m["service"] else { reader.error(node, path, "\(kind) needs 'service'"); return nil }
            return resolveService(n, m.path("service"))
        }
        let allowed: [String]
        var action: ProcedureAction?
        switch kind {
        case "shift-traffic":
            allowed = ["service", "cluster", "weight"]
            let s = service(), c = cluster()
            let w = m["weight"].flatMap { reader.percentage($0, m.path("weight")) } ?? Percentage(0)
            if let s, let c { action = .shiftTraffic(service: s, cluster: c, weight: w) }
            if let s, !imported.virtualServices.contains(where: { $0.hosts.contains(s) }) {
                reader.warning(node, path, "service '\(s)' has no VirtualService: in a cluster, shifting its traffic needs one with per-cluster subsets (topology.istio.io/cluster); Quake applies the weight as if it existed")
            }
        case "restore-traffic":
            allowed = ["service", "cluster"]
            let s = service(), c = cluster()
            if let s, let c { action = .restoreTraffic(service: s, cluster: c) }
        case "migrate-workloads":
            allowed = ["cluster"]
            action = cluster().map(ProcedureAction.migrateWorkloads)
        case "upgrade":
            allowed = ["cluster", "takes"]
            let takes = m["takes"].flatMap { reader.duration($0, m.path("takes")) } ?? .minutes(5)
            action = cluster().map { .upgrade(cluster: $0, takes: takes) }
        case "check":
            allowed = ["cluster", "timeout"]
            let timeout = m["timeout"].flatMap { reader.duration($0, m.path("timeout")) } ?? .minutes(5)
            action = cluster().map { .check(cluster: $0, timeout: timeout) }
        case "restore-workloads":
            allowed = ["cluster"]
            action = cluster().map(ProcedureAction.restoreWorkloads)
        default:
            allowed = []
            action = .pause
        }
        for entry in m.entries where !["step", "wait"].contains(entry.key) && !allowed.contains(entry.key) {
            reader.error(entry.keyNode, m.path(entry.key), "'\(entry.key)' does not apply to \(kind)" + (allowed.isEmpty ? "" : "; it takes \(reader.list(allowed))"))
        }
        return action.map { ProcedureStep(action: $0, wait: wait) }
    }
}
