import ArgumentParser
import Foundation
import QuakeHistory
import QuakeReport

/// `quake compare A B`: two runs' SLOs and metrics side by side, with the change and whether it is
/// beyond noise.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Show two runs' SLOs and metrics side by side, with the change and whether it is beyond noise.",
        discussion: "Each run is a run record (run.json), the folder holding one, or a run of the history: its id, last, or last~N (the run N before the last; with --plan, among that plan's runs)."
    )

    @Argument(help: "The first run (usually the earlier).")
    var a: String

    @Argument(help: "The second run.")
    var b: String

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Resolve last and last~N among this plan's runs.", valueName: "name"))
    var plan: String?

    @Option(help: ArgumentHelp("The history file (default: $QUAKE_HISTORY, else ~/.local/share/quake/history.sqlite).", valueName: "file"))
    var history: String?

    func run() throws {
        let comparison = RunComparison(try record(a), try record(b))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else {
            print(comparison.text(nameA: "A", nameB: "B"), terminator: "")
        }
    }

    /// The run record `reference` names: a run.json, a folder holding one, or a run of the history.
    func record(_ reference: String) throws -> RunRecord {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isFolder) else { return try fromHistory(reference) }
        return try ReportFiles.readForCommand(isFolder.boolValue ? reference + "/run.json" : reference)
    }

    /// The record of the history's run `reference` (an id, `last` or `last~N`).
    private func fromHistory(_ reference: String) throws -> RunRecord {
        let path = HistoryLocation.path(flag: history)
        guard FileManager.default.fileExists(atPath: path) else {
            PlanLoading.printError("\(reference): no such run record or run folder, and no history at \(path) to look it up in")
            throw ExitStatus.invalid.exitCode
        }
        do {
            let entry = try HistoryStore(path: path).resolve(try RunReference(parsing: reference), plan: plan)
            guard let text = entry.record else { throw HistoryError(code: .notFound, message: "\(path): run \(entry.id) has no record") }
            return try ReportFiles.decode(Data(text.utf8), source: "\(path): run \(entry.id)")
        } catch let error as HistoryError {
            PlanLoading.printError("\(reference): \(error.message)")
        } catch let error as DecodingError {
            PlanLoading.printError("\(reference): the history's record is not a Quake run record: \(ReportFiles.describe(error))")
        } catch {
            PlanLoading.printError("\(reference): \(error.localizedDescription)")
        }
        throw ExitStatus.invalid.exitCode
    }
}
