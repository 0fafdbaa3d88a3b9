import QuakeCore
import Yams

extension PlanDecoder {
    /// Reports every blast-radius limit the schedule breaks at the fault or procedure that breaks it,
    /// and every fault that touches a protected service or namespace.
    func checkSafety(_ plan: Plan, at fallback: Node) {
        for violation in BlastRadius.violations(of: plan.schedule, in: plan.topology, policy: plan.safety) {
            if let i = violation.faultIndex, i < faultNodes.count {
                reader.error(faultNodes[i].node, "schedule.faults[\(faultNodes[i].index)]", violation.message)
            } else if let i = violation.procedureIndex, i < procedureNodes.count {
                reader.error(procedureNodes[i].node, "schedule.procedures[\(procedureNodes[i].index)]", violation.message)
            } else {
                reader.error(fallback, "safety", violation.message)
            }
        }
        for (i, spec) in plan.schedule.faults.enumerated() where i < faultNodes.count {
            let service: String?
            switch spec.fault {
            case let .httpAbort(s, _, _), let .httpDelay(s, _, _), let .podKill(s, _, _): service = s
            default: service = nil
            }
            guard let service, let svc = plan.service(named: service) else { continue }
            if let hit = plan.safety.protected.first(where: { $0 == svc.name || $0 == svc.namespace }) {
                reader.error(faultNodes[i].node, "schedule.faults[\(faultNodes[i].index)]", "\(spec.fault.kind.rawValue) touches service '\(svc.name)' in namespace '\(svc.namespace)', which safety.protected lists ('\(hit)')")
            }
        }
    }
}
