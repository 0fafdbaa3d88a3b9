import ArgumentParser
import Foundation
import QuakeRunner

/// `quake abort`: the machine's kill switch. Engaging it aborts every run on a live target within
/// one observation window (each reverts its faults first) and keeps new ones from starting until
/// `quake abort --clear`.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Engage the kill switch: every running experiment aborts within one window and no new one starts.",
        discussion: """
            The switch is the file ABORT in the state directory ($QUAKE_STATE_DIR, else \
            $XDG_STATE_HOME/quake, else ~/.local/state/quake); creating it by hand works the same. \
            Runs on the model are not affected: they change nothing outside Quake. See docs/safety.md.
            """
    )

    @Option(help: "Why, shown in every aborted run's report.")
    var reason: String?

    @Flag(help: "Release the switch instead, so that runs may start again.")
    var clear = false

    func validate() throws {
        if clear && reason != nil { throw ValidationError("--clear takes no --reason") }
    }

    func run() async throws {
        let registry = RunRegistry.standard()
        let killSwitch = KillSwitch(registry: registry)
        do {
            if clear {
                print(try killSwitch.clear() ? "kill switch released (\(killSwitch.path) removed)" : "the kill switch was not engaged")
                return
            }
            let who = ProcessInfo.processInfo.environment["USER"] ?? "unknown user"
            let when = ISO8601DateFormatter().string(from: Date())
            try killSwitch.engage(reason: "\(reason ?? "quake abort") — by \(who) at \(when)")
        } catch {
            FileHandle.standardError.write(Data("quake: \(error)\n".utf8))
            throw ExitStatus.targetError.exitCode
        }
        let running = ((try? UnfinishedRun.all(in: registry)) ?? []).filter { $0.run?.purpose == .run && $0.ownerIsRunning }
        print("kill switch engaged (\(killSwitch.path)); new runs on live targets are refused until `quake abort --clear`")
        if running.isEmpty {
            print("no experiment is running")
        } else {
            print("aborting within one observation window, each reverting its faults:")
            for run in running { print("  " + run.summary) }
        }
    }
}
