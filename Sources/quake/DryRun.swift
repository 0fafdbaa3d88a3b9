import Foundation
import QuakeCore
import QuakeKube
import QuakeLab
import QuakeModel

/// `quake run --dry-run`: the exact actions a run would take on its target, printed, with nothing
/// started, written or changed.
enum DryRun {
    /// The lines for `plan` on `kind`, its reports under `folder`; `allowed` are the names given to
    /// `--allow-target`, to say what a real run would still need.
    static func lines(plan: Plan, kind: TargetKind, folder: String, seed: UInt64, timeScale: Double, allowed: [String], kubeconfig: String?, context: String?) async throws -> [String] {
        var lines = ["\(plan.metadata.name) on the \(kind.rawValue) target (dry run: nothing is started or changed)"]
        if let name = TargetGate.name(of: kind, plan: plan, context: context), !allowed.contains(name) {
            lines.append("a real run needs --allow-target \(name)")
        }
        switch kind {
        case .model:
            lines.append("the model simulates every fault inside this process; nothing outside it changes. The schedule:")
            for action in RunAction.actions(of: plan.schedule) {
                switch action.kind {
                case let .inject(i): lines.append("  \(action.at) inject \(plan.schedule.faults[i].fault)")
                case let .revert(i): lines.append("  \(action.at) revert \(plan.schedule.faults[i].fault)")
                case let .step(p, s): lines.append("  \(action.at) \(plan.schedule.procedures[p].name): \(plan.schedule.procedures[p].steps[s].action)")
                }
            }
        case .lab:
            let labPlan = plan.scaled(by: timeScale)
            let controlPlane = ModelRun.controlPlane(labPlan, seed: seed)
            lines.append("time scale \(timeScale); journal \(RunJournal.path(folder: folder))")
            let traffic = LiveTraffic.lines(plan: labPlan, seed: seed, route: LabRunDriver.route(envoys: try LabLayout(plan: labPlan).envoys),
                                            unrouted: "no Envoy for its locality")
            lines += try LabDryRun.actions(plan: labPlan, changes: controlPlane.changes, directory: LabRunDriver.labDirectory(folder: folder), traffic: traffic)
        case .kubernetes:
            let system = try KubeRunDriver.system(plan: plan, kubeconfig: KubeRunDriver.kubeconfigPath(flag: kubeconfig, plan: plan), context: context)
            lines.append("journal \(RunJournal.path(folder: folder)); allow it with --allow-target \(TargetGate.name(of: kind, plan: plan, context: context) ?? "")")
            let traffic = LiveTraffic.lines(plan: plan, seed: plan.seed, route: KubeRunDriver.route(plan: plan), unrouted: KubeRunDriver.unrouted)
            lines += try await KubeDryRun.actions(plan: plan, system: system, traffic: traffic)
        }
        return lines
    }
}
