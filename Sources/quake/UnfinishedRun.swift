import Foundation
import QuakeCore
import QuakeLab
import QuakeRunner

/// A run the state directory still lists: its journal has no end, because the run is still going,
/// crashed, or is a lab brought up by `quake lab up`.
struct UnfinishedRun {
    /// Where the state directory points.
    var pointer: RunRegistry.Pointer
    /// What its journal says (`nil` with ``problem`` set when it cannot be read).
    var state: JournalState?
    /// Why the journal could not be read.
    var problem: String?

    /// Every unfinished run in `registry`, oldest first.
    static func all(in registry: RunRegistry) throws -> [UnfinishedRun] {
        try registry.pointers().map { pointer in
            do {
                return UnfinishedRun(pointer: pointer, state: try JournalReader.state(at: pointer.journal))
            } catch {
                return UnfinishedRun(pointer: pointer, state: nil, problem: "\(error)")
            }
        }
    }

    var id: String { pointer.id }
    var run: JournalRun? { state?.run }

    /// Whether the `quake` process that wrote the journal is still alive.
    var ownerIsRunning: Bool { run?.owner.isRunning ?? false }

    /// The processes it started that are still alive.
    var liveProcesses: [SupervisedProcess] { state?.started.filter(\.isRunning) ?? [] }

    /// One line for people: id, what, against what, and whether it is still going.
    var summary: String {
        guard let run, let state else { return "\(id): unreadable journal \(pointer.journal): \(problem ?? "")" }
        let what = run.purpose == .labUp ? "lab up" : "run"
        let owner = if ownerIsRunning {
            "in progress (quake PID \(run.owner.pid.map(String.init) ?? "?"))"
        } else if let ended = state.ended {
            "ended (\(ended)), but its quake died before it left the state directory"
        } else {
            run.purpose == .labUp ? "up" : "crashed or killed"
        }
        let live = liveProcesses
        var line = "\(id): \(what) of \(run.plan) on \(run.target) (\(run.system)), \(owner); \(live.count) of \(state.started.count) processes alive"
        let stopped = live.filter(\.isStopped).count
        if stopped > 0 { line += ", \(stopped) stopped" }
        if !state.activeFaults.isEmpty { line += "; faults still marked active: " + state.activeFaults.map(\.description).joined(separator: ", ") }
        return line
    }
}
