import ArgumentParser

/// `quake rollback`: undoes what crashed or killed runs left in effect, from their journals.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo what crashed or killed runs left behind (faults, processes), from their journals.",
        discussion: "Without --run: every unfinished `quake run` whose process is gone (labs brought up by `quake lab up` are left to `quake lab down`)."
    )

    @OptionGroup var options: CleanupOptions

    func run() async throws {
        try await RunCleanup.run(options, status: "rolled-back", nothing: "nothing to roll back") { $0.run?.purpose != .labUp }
    }
}
