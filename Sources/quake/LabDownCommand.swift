import ArgumentParser

/// `quake lab down`: stops every process of the labs that are up or were left by a crashed run.
struct LabDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every process of a lab brought up by `quake lab up` or left by a crashed run.",
        discussion: "Without --run: every such lab. A lab whose `quake run` is still in progress is left alone unless --force."
    )

    @OptionGroup var options: CleanupOptions

    func run() async throws {
        try await RunCleanup.run(options, status: "torn-down", nothing: "no lab is up") { $0.run?.target == "lab" }
    }
}
