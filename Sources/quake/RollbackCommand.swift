import ArgumentParser
import QuakeRunner

/// `quake rollback`: undoes what crashed or killed runs left in effect, from their journals.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo what crashed or killed runs left behind (faults, processes), from their journals.",
        discussion: "Without --run: every unfinished `quake run` whose process is gone (labs brought up by `quake lab up` are left to `quake lab down`)."
    )

    @Option(name: .customLong("run"), help: "Only this run (its id, as `quake status` shows it).")
    var runID: String?

    @Flag(help: "Also roll back a run whose quake process is still running.")
    var force = false

    func run() async throws {
        let registry = RunRegistry.standard()
        let runs = try RunCleanup.select(id: runID, registry: registry) { $0.run?.purpose != .labUp }
        guard !runs.isEmpty else {
            print("nothing to roll back")
            return
        }
        guard await RunCleanup.perform(runs, status: "rolled-back", force: force, registry: registry) else {
            throw ExitStatus.targetError.exitCode
        }
    }
}
