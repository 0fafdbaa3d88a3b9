import ArgumentParser
import Foundation
import QuakeReport

/// `quake compare A B`: two runs' SLOs and metrics side by side, with the change and whether it is
/// beyond noise.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Show two runs' SLOs and metrics side by side, with the change and whether it is beyond noise.",
        discussion: "Each run is a run record (run.json) or the folder holding one."
    )

    @Argument(help: "The first run (usually the earlier).")
    var a: String

    @Argument(help: "The second run.")
    var b: String

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func run() throws {
        let comparison = RunComparison(try Self.record(a), try Self.record(b))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else {
            print(comparison.text(nameA: "A", nameB: "B"), terminator: "")
        }
    }

    /// The run record `reference` names: a run.json, or a folder holding one.
    static func record(_ reference: String) throws -> RunRecord {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isFolder) else {
            PlanLoading.printError("\(reference): no such run record or run folder")
            throw ExitStatus.invalid.exitCode
        }
        let path = isFolder.boolValue ? reference + "/run.json" : reference
        do {
            return try ReportFiles.read(path)
        } catch let error as DecodingError {
            PlanLoading.printError("\(path): not a Quake run record: \(ReportFiles.describe(error))")
        } catch {
            PlanLoading.printError("\(reference): \(error.localizedDescription)")
        }
        throw ExitStatus.invalid.exitCode
    }
}
