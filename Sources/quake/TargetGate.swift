import Foundation
import QuakeCore

/// What a plan must pass before it runs on a real target, checked for every plan before the first
/// one starts: the target named by `--allow-target`, and the plan's `safety.allowedWindows`. The
/// model changes nothing outside the run, so it passes without either.
enum TargetGate {
    /// The name `--allow-target` must give for `kind`: `lab`, or for the kubernetes target the
    /// context it acts through (`--context`, else the plan's context, else its Karmada context);
    /// nil for the model.
    static func name(of kind: TargetKind, plan: Plan, context: String? = nil) -> String? {
        switch kind {
        case .model: return nil
        case .lab: return "lab"
        case .kubernetes: return context ?? plan.target.kubeContext ?? plan.target.karmadaContext ?? "kubernetes"
        }
    }

    /// Why `plan` may not run on `kind` (through `context`) now, or nil when it may.
    static func refusal(of plan: Plan, on kind: TargetKind, context: String? = nil, allowed: [String], now: Date) -> String? {
        guard let name = name(of: kind, plan: plan, context: context) else { return nil }
        guard allowed.contains(name) else {
            return "\(plan.metadata.name): the \(kind.rawValue) target changes a real system, so it runs only when named: add --allow-target \(name)"
        }
        let windows = plan.safety.allowedWindows
        guard windows.isEmpty || windows.contains(where: { $0.admits(start: now, duration: plan.schedule.duration) }) else {
            let formatter = ISO8601DateFormatter()
            return "\(plan.metadata.name): a run of \(plan.schedule.duration) from now (\(formatter.string(from: now))) does not fit in safety.allowedWindows: \(windows.map(\.description).joined(separator: "; "))"
        }
        return nil
    }
}
