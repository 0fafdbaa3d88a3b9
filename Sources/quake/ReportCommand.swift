import ArgumentParser
import Foundation
import QuakeReport

/// `quake report RUN.json`: renders a run's reports again from its record.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render report.md, report.html and junit.xml again from a run record (run.json)."
    )

    @Argument(help: "A run record written by quake run.")
    var record: String

    @Option(help: "Folder for the reports (default: the record's folder).")
    var out: String?

    func run() throws {
        let run = try ReportFiles.readForCommand(record)
        let folder = out ?? (URL(fileURLWithPath: record).deletingLastPathComponent().path)
        do {
            try ReportFiles.write(MarkdownReport.render(run), to: folder + "/report.md")
            try ReportFiles.write(HTMLReport.render(run), to: folder + "/report.html")
            try ReportFiles.write(JUnitReport.render([run]), to: folder + "/junit.xml")
        } catch {
            PlanLoading.printError("cannot write the reports to \(folder): \(error.localizedDescription)")
            throw ExitStatus.targetError.exitCode
        }
        print("\(run.plan): \(run.verdict.uppercased()) — \(folder)/report.md")
    }
}
