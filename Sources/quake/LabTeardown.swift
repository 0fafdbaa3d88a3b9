import Foundation
import QuakeCore
import QuakeLab
import QuakeRunner

/// Tears down what an unfinished lab run left, from its journal alone (`quake lab down`,
/// `quake rollback`): every process it started is killed (a stopped one too), which also clears
/// every runtime fault, since those live in the Envoys' memory; then the journal gets its end and
/// the run leaves the state directory.
enum LabTeardown {
    /// What a teardown did, for people.
    struct Summary {
        var killed: [String] = []
        var alreadyGone = 0
        var faultsCleared: [String] = []
        /// The end the journal already had: the run died after writing it, before leaving the
        /// state directory.
        var endedBefore: String?

        var sentence: String {
            var parts = ["killed \(killed.count) process\(killed.count == 1 ? "" : "es")"]
            if alreadyGone > 0 { parts.append("\(alreadyGone) already gone") }
            if !faultsCleared.isEmpty { parts.append("faults gone with the lab's Envoys and pods: " + faultsCleared.joined(separator: ", ")) }
            if let endedBefore { parts.append("its journal had already ended (\(endedBefore)), so only its entry in the state directory was left") }
            return parts.joined(separator: "; ")
        }
    }

    /// Kills every process of `run`, then ends its journal with `status`; a journal that already
    /// has its end (the run died between writing it and leaving the state directory) is left as
    /// it is, and the run only leaves the state directory.
    ///
    /// - Throws: when a process survives `SIGKILL` or the journal cannot be written; the run then
    ///   stays listed, so the command can be run again.
    static func tearDown(_ run: UnfinishedRun, status: String, registry: RunRegistry) async throws -> Summary {
        guard let state = run.state else {
            throw RunnerError(code: .journal, message: run.problem ?? "cannot read \(run.pointer.journal)")
        }
        var summary = Summary()
        // Last started first, like every revert.
        for process in state.started.reversed() {
            switch try await ProcessSupervisor.killLeftover(process) {
            case .killed: summary.killed.append(process.description)
            case .notRunning, .pidReused: summary.alreadyGone += 1
            }
        }
        for process in state.unconfirmed {
            let count = try await ProcessSupervisor.killUnconfirmed(process)
            if count > 0 { summary.killed.append("\(process.name) (start not confirmed)") } else { summary.alreadyGone += 1 }
        }
        if let ended = state.ended {
            // Its end says every process was gone; the journal keeps that end, unchanged.
            summary.endedBefore = ended
            try registry.unregister(run.id)
            return summary
        }
        summary.faultsCleared = state.activeFaults.map(\.description)
        let journal = try Journal.resume(at: run.pointer.journal, registry: registry)
        for fault in state.activeFaults { try journal.record(.faultReverted(index: fault.index)) }
        try journal.end(status)
        return summary
    }
}
