import ArgumentParser
import Foundation

/// Entry point: runs the command and maps every failure to the documented exit codes
/// (a usage error is 2, like an invalid plan, not ArgumentParser's default 64).
@main
enum QuakeMain {
    static func main() async {
        do {
            var command = try Quake.parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            if Quake.exitCode(for: error) == .success { Quake.exit(withError: error) }
            FileHandle.standardError.write(Data((Quake.fullMessage(for: error) + "\n").utf8))
            exit(ExitStatus.invalid.rawValue)
        }
    }
}

/// `quake`: chaos experiments for multi-cluster Kubernetes with Karmada and Istio.
struct Quake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quake",
        abstract: "Chaos experiments for multi-cluster Kubernetes with Karmada and Istio.",
        discussion: ExitStatus.table,
        subcommands: [ValidateCommand.self, RunCommand.self, ExplainCommand.self, ReportCommand.self, HistoryCommand.self, ObserveCommand.self, LoadCommand.self, LabCommand.self, StatusCommand.self, RollbackCommand.self, AbortCommand.self, CompareCommand.self, PodCommand.self]
    )
}
