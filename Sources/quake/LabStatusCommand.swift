import ArgumentParser
import Foundation
import QuakeLab
import QuakeRunner

/// `quake lab status`: the labs that are up (or were left by a crashed run), process by process.
struct LabStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the labs that are up or were left behind, with their processes and addresses."
    )

    func run() async throws {
        let registry = RunRegistry.standard()
        let labs = try UnfinishedRun.all(in: registry).filter { $0.run?.target == "lab" || $0.state == nil }
        guard !labs.isEmpty else {
            print("no lab is up")
            return
        }
        for lab in labs {
            print(lab.summary)
            guard let run = lab.run, let state = lab.state else { continue }
            if let endpoints = LabEndpoints.read(labDirectory: LabRunDriver.labDirectory(folder: run.folder)) {
                for line in endpoints.lines { print("  " + line) }
            }
            for process in state.started {
                let condition = process.isStopped ? "stopped" : process.isRunning ? "running" : "gone"
                print("  \(process.description): \(condition)")
            }
        }
    }
}
