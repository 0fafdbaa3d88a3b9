import Foundation
import FoundationXML
import QuakeReport
import Testing

/// The trend charts of a plan's recent runs in report.html: the last 30 runs, score, time to
/// recover and error budget burn, each failed run red and linked to its report.
@Suite struct RunTrendTests {
    static func point(_ day: Int, _ verdict: String, score: Double?) -> RunTrend.Point {
        RunTrend.Point(id: "plan-202611\(String(format: "%02d", day))", startedAt: String(format: "2026-11-%02dT02:00:00Z", day), verdict: verdict,
                       score: score, timeToRecoverSeconds: score.map { 100 - $0 }, errorBudgetBurn: 0.5, link: "../plan-202611\(day)/report.html")
    }

    @Test func onlyTheLast30RunsAreDrawnAndOneRunIsNoTrend() {
        let trend = RunTrend(points: (1...40).map { Self.point(($0 - 1) % 28 + 1, "pass", score: 90) })
        #expect(trend.points.count == 30 && trend.points.first?.id == Self.point(11, "pass", score: 90).id)
        #expect(RunTrend(points: [Self.point(1, "pass", score: 90)]).section().isEmpty)
    }

    @Test func failedRunsAreMarkedAndLinked() throws {
        let trend = RunTrend(points: [Self.point(1, "pass", score: 92), Self.point(2, "fail", score: 41), Self.point(3, "error", score: nil), Self.point(4, "pass", score: 90)])
        let section = trend.section()
        #expect(section.contains("2 failed (red, linked to their reports)"))
        #expect(section.components(separatedBy: "<svg").count - 1 == 3, "score, time to recover, error budget burn")
        #expect(section.contains("<a href=\"../plan-202611" + "2/report.html\"><circle"), "the failed run with a score is linked on each chart")
        #expect(section.contains("fill=\"#dc2626\"><title>plan-20261102: fail, 41.0</title>"))
        #expect(section.components(separatedBy: "plan-20261103: error").count - 1 == 1, "without a score or a time to recover, the errored run has a point on the burn chart only")
        #expect(section.contains(">11-04</text>"), "points are labelled with their day")
        // The section is well-formed XML (the SVG is inline in the page).
        let document = try XMLDocument(xmlString: "<div>" + section + "</div>")
        #expect(document.rootElement() != nil)
    }

    @Test func theReportShowsTheTrendOnlyWhenGivenOne() throws {
        let record = try SampleReportTests.record()
        #expect(!HTMLReport.render(record).contains("Recent runs"))
        let trend = RunTrend(points: [Self.point(1, "pass", score: 92), Self.point(2, "fail", score: 41)])
        #expect(HTMLReport.render(record, trend: trend).contains("<h2>Recent runs</h2>"))
    }
}
