import Foundation
import QuakeCore
import QuakeModel
import QuakePlan
import QuakeReport
import QuakeTestSupport
import Testing

/// The committed sample in reports/sample/ (golden files): the renderers reproduce it from its
/// run record, and the record is what the model gives today. Re-record with
/// `scripts/regenerate-sample`, or `QUAKE_RECORD=1` for the rendered files.
@Suite struct SampleReportTests {
    static let folder = PlanFixtures.repository.appendingPathComponent("reports/sample")

    static func record() throws -> RunRecord {
        try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: folder.appendingPathComponent("run.json")))
    }

    @Test func renderersReproduceTheSample() throws {
        let record = try Self.record()
        let rendered = [("report.md", MarkdownReport.render(record)), ("report.html", HTMLReport.render(record)), ("junit.xml", JUnitReport.render([record]))]
        for (file, text) in rendered {
            let url = Self.folder.appendingPathComponent(file)
            if ProcessInfo.processInfo.environment["QUAKE_RECORD"] == "1" {
                try Data(text.utf8).write(to: url)
                continue
            }
            let golden = try String(contentsOf: url, encoding: .utf8)
            #expect(golden == text, "\(file) differs from what the renderer writes today; run scripts/regenerate-sample if the change is meant")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func theSampleRecordIsWhatTheModelGivesToday() throws {
        let record = try Self.record()
        let plan = try PlanLoader.load(path: PlanFixtures.repository.appendingPathComponent("experiments/node-failure.yaml").path).plan
        let result = ModelRun.simulate(plan, seed: record.seed)
        let card = Scorer.score(plan: plan, timeline: result.timeline)
        var fresh = RunRecord(plan: plan, timeline: result.timeline, scorecard: card, target: .model, seed: record.seed, startedAt: record.startedAt, wallSeconds: record.wallSeconds)
        // The sample was written from the repository root; warnings name files relative to it.
        fresh.warnings = record.warnings
        #expect(fresh == record, "reports/sample/run.json is stale; run scripts/regenerate-sample")
    }

    @Test func theSampleSaysWhatHappened() throws {
        let record = try Self.record()
        #expect(record.schemaVersion == 1)
        #expect(record.faults.first?.verified == true)
        let markdown = try String(contentsOf: Self.folder.appendingPathComponent("report.md"), encoding: .utf8)
        for section in ["## Summary", "## Timeline", "## SLOs", "## Attribution", "## Blast radius", "## Contributing factors", "## Follow-ups"] {
            #expect(markdown.contains(section))
        }
        let html = try String(contentsOf: Self.folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg"))
        let urls = html.components(separatedBy: "http").count - 1
        let namespaces = html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1
        #expect(urls == namespaces, "the only URLs are the SVG namespace")
        #expect(!html.contains("<script") && !html.contains("<link"), "self-contained: nothing to fetch")
    }
}
