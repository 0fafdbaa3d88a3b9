import ArgumentParser
import Foundation
import QuakeHistory

/// `quake history [PLAN]`: the runs the history holds, as a table or JSON, or the latest as
/// Prometheus metrics.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List past runs from the run history, or export the latest results for Prometheus.",
        discussion: """
            The history is --history FILE, else $QUAKE_HISTORY, else $XDG_DATA_HOME/quake/history.sqlite, \
            else ~/.local/share/quake/history.sqlite; every `quake run` appends to it (docs/history.md).
            """
    )

    /// What `--export` can write.
    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case prometheus
    }

    @Argument(help: "Only the runs of this plan (its metadata.name).")
    var plan: String?

    @Option(help: ArgumentHelp("Only runs started since then: a span back from now (14d, 36h) or a UTC date or instant (2026-12-01, 2026-12-01T08:00:00Z).", valueName: "when"))
    var since: String?

    @Option(help: "At most N runs, newest first (default: 20 without --since, all since then with it).")
    var limit: Int?

    @Flag(help: "Print the runs as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write the latest run of each plan and target as metrics: prometheus (the text format).", valueName: "format"))
    var export: ExportFormat?

    @Option(help: ArgumentHelp("With --export: write to this file (atomically, for a textfile collector) instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The history database (default: $QUAKE_HISTORY, else the user's data folder).", valueName: "file"))
    var history: String?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit takes a count of 1 or more") }
        if let since { do { _ = try HistorySince.date(since, now: Date()) } catch { throw ValidationError(error.message) } }
        if export != nil && (json || since != nil || limit != nil) { throw ValidationError("--export writes the latest run of each plan; it takes no --json, --since or --limit") }
        if output != nil && export == nil { throw ValidationError("--output goes with --export") }
    }

    func run() throws {
        let path = HistoryLocation.path(flag: history)
        do {
            guard FileManager.default.fileExists(atPath: path) else { return try printEmpty(path) }
            let store = try HistoryStore(path: path)
            if export != nil {
                let text = PrometheusExport.render(try store.latest().filter { plan == nil || $0.plan == plan })
                if let output { try ReportFiles.write(text, to: output) } else { print(text, terminator: "") }
                return
            }
            let cutoff = try since.map { try HistorySince.date($0, now: Date()) }
            let entries = try store.runs(plan: plan, since: cutoff, limit: limit ?? (cutoff == nil ? 20 : nil))
            if json {
                print(try ReportFiles.json(entries.map(HistoryListing.Run.init)), terminator: "")
            } else if entries.isEmpty {
                print("no runs\(plan.map { " of plan \($0)" } ?? "")\(since.map { " since \($0)" } ?? "") in \(path)")
            } else {
                print(HistoryListing.table(entries), terminator: "")
            }
        } catch let error as HistoryError {
            PlanLoading.printError(error.message)
            throw ExitStatus.targetError.exitCode
        } catch {
            PlanLoading.printError("\(output ?? path): \(error.localizedDescription)")
            throw ExitStatus.targetError.exitCode
        }
    }

    /// What a history that does not exist yet shows: no runs, an empty list or no metrics.
    private func printEmpty(_ path: String) throws {
        if export != nil {
            if let output { try ReportFiles.write("", to: output) }
        } else if json {
            print("[]")
        } else {
            print("no runs yet: \(path) does not exist (every `quake run` adds to it)")
        }
    }
}
