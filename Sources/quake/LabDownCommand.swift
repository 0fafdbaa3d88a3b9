import ArgumentParser
import QuakeRunner

/// `quake lab down`: stops every process of the labs that are up or were left by a crashed run.
struct LabDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every process of a lab brought up by `quake lab up` or left by a crashed run.",
        discussion: "Without --run: every such lab. A lab whose `quake run` is still in progress is left alone unless --force."
    )

    @Option(name: .customLong("run"), help: "Only this run (its id, as `quake lab status` shows it).")
    var runID: String?

    @Flag(help: "Also tear down a lab whose quake process is still running.")
    var force = false

    func run() async throws {
        let registry = RunRegistry.standard()
        let labs = try RunCleanup.select(id: runID, registry: registry) { $0.run?.target == "lab" }
        guard !labs.isEmpty else {
            print("no lab is up")
            return
        }
        guard await RunCleanup.perform(labs, status: "torn-down", force: force, registry: registry) else {
            throw ExitStatus.targetError.exitCode
        }
    }
}
