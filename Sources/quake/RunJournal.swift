import Foundation
import QuakeCore
import QuakeRunner

/// Opening a run's journal for a live target: `<folder>/journal.jsonl`, registered in the state
/// directory, after checking that no unfinished run acts on the same system.
enum RunJournal {
    /// Where the run's journal goes.
    static func path(folder: String) -> String { folder + "/journal.jsonl" }

    /// Begins the journal of `plan` on `target`'s `system` (unless an unfinished run holds that
    /// system and not `force`); `configure` fills target-specific header fields.
    ///
    /// - Throws: ``SystemBusy`` naming the unfinished run, or what the journal threw.
    static func open(plan: Plan, planFile: String, purpose: JournalRun.Purpose, target: String, system: String, folder: String, force: Bool, configure: (inout JournalRun) -> Void = { _ in }) throws -> Journal {
        let registry = RunRegistry.standard()
        if !force, let holder = try UnfinishedRun.all(in: registry).first(where: { $0.run?.target == target && $0.run?.system == system }) {
            throw SystemBusy(holder: holder)
        }
        var header = JournalRun(
            id: JournalRun.newID(plan: plan.metadata.name), purpose: purpose, plan: plan.metadata.name, planFile: planFile,
            target: target, system: system, folder: URL(fileURLWithPath: folder).standardizedFileURL.path, owner: .current)
        configure(&header)
        return try Journal.begin(header, path: path(folder: folder), registry: registry)
    }
}

/// An unfinished run holds the system (a lab's ports, a cluster) a new run would act on.
struct SystemBusy: Error, CustomStringConvertible {
    var holder: UnfinishedRun

    var description: String {
        let target = holder.run?.target ?? "?"
        let cleanup = target == "lab" ? "quake lab down --run \(holder.id)" : "quake rollback --run \(holder.id)"
        return "the \(target) at \(holder.run?.system ?? "?") is held by an unfinished run — \(holder.summary). "
            + "Clean it up with `\(cleanup)`, or pass --force to start anyway."
    }
}
