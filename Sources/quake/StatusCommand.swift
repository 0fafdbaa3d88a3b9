import ArgumentParser
import QuakeRunner

/// `quake status`: the runs whose journals have no end.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List unfinished runs: in progress, crashed or killed, and labs that are up."
    )

    func run() async throws {
        let registry = RunRegistry.standard()
        if let reason = KillSwitch(registry: registry).reason() {
            print("kill switch engaged: \(reason) — runs on live targets are refused until `quake abort --clear`")
        }
        let runs = try UnfinishedRun.all(in: registry)
        guard !runs.isEmpty else {
            print("no unfinished run (state directory \(registry.directory))")
            return
        }
        for run in runs { print(run.summary) }
    }
}
