import ArgumentParser

/// `quake lab up|status|down`: a plan's lab by hand, for exploring.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Bring a plan's lab up, see it, and tear it down, for exploring by hand.",
        subcommands: [LabUpCommand.self, LabStatusCommand.self, LabDownCommand.self]
    )
}
