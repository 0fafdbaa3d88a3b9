import Foundation
import QuakeReport
import Testing

/// A suite's verdict and its combined reports: junit.xml, summary.md and the index report.html.
@Suite struct SuiteReportTests {
    /// The suite's verdict (hence its exit code) over every pair and a few longer mixes: errors and
    /// aborts outrank failures, failures outrank inconclusive, inconclusive outranks pass.
    @Test(arguments: [
        ([], "pass"),
        (["pass"], "pass"),
        (["pass", "pass"], "pass"),
        (["pass", "inconclusive"], "inconclusive"),
        (["inconclusive", "pass"], "inconclusive"),
        (["pass", "fail"], "fail"),
        (["inconclusive", "fail"], "fail"),
        (["fail", "inconclusive"], "fail"),
        (["fail", "aborted"], "aborted"),
        (["aborted", "fail"], "aborted"),
        (["fail", "error"], "error"),
        (["error", "pass"], "error"),
        (["aborted", "error"], "error"),
        (["error", "aborted"], "error"),
        (["inconclusive", "aborted", "pass"], "aborted"),
        (["pass", "fail", "inconclusive", "pass"], "fail"),
        (["pass", "something new"], "error"),
    ] as [([String], String)])
    func theWorstVerdictWins(verdicts: [String], worst: String) {
        #expect(SuiteRecord.worst(verdicts) == worst)
    }

    /// A suite of four: a pass, a failure, an abort by a stop condition and a plan that did not load.
    static func sample() throws -> SuiteRecord {
        let passed = try JUnitReportTests.sample()
        var failed = try JUnitReportTests.sample()
        failed.plan = "failing <plan>"
        failed.verdict = "fail"
        failed.slos[0].verdict = "fail"
        failed.slos[0].reason = "99.1% < 99.5%"
        var aborted = try JUnitReportTests.sample()
        aborted.plan = "aborted-plan"
        aborted.verdict = "aborted"
        aborted.abort = RunRecord.Abort(condition: "successRatio(frontend) < 80% for 30s", at: 312)
        return SuiteRecord(name: "nightly", description: "Every night.", schedule: "0 2 * * *", startedAt: "2026-12-07T02:00:00Z", entries: [
            .init(file: "passing.yaml", folder: "passing", record: passed),
            .init(file: "failing.yaml", folder: "failing", record: failed),
            .init(file: "aborted.yaml", folder: "aborted", record: aborted),
            .init(file: "broken & <bad>.yaml", folder: "broken", target: "model", verdict: "error", reason: "the plan is invalid (its errors are in the log)"),
        ])
    }

    @Test(.timeLimit(.minutes(1)))
    func theCombinedJUnitValidatesAndHoldsEveryPlan() throws {
        let suite = try Self.sample()
        let xml = SuiteJUnitReport.render(suite)
        let (status, messages) = try JUnitReportTests.validate(xml)
        #expect(status == 0, "\(messages)")
        #expect(xml.components(separatedBy: "<testsuites ").count == 2, "one testsuites")
        #expect(xml.components(separatedBy: "<testsuite ").count == 5, "one testsuite per plan")
        #expect(xml.contains("<testsuites name=\"nightly\""))
        let slos = suite.entries.compactMap(\.record).reduce(0) { $0 + $1.slos.count }
        #expect(xml.contains("tests=\"\(slos + 2)\" failures=\"1\" errors=\"2\""), "the abort's and the broken plan's run cases are errors")
        #expect(xml.contains("<testsuite name=\"broken &amp; &lt;bad&gt;.yaml\" tests=\"1\" failures=\"0\" errors=\"1\""))
        #expect(xml.contains("<error message=\"the plan is invalid (its errors are in the log)\" type=\"PlanError\"/>"))
        #expect(xml.contains(JUnitReport.render([try JUnitReportTests.sample()]).split(separator: "\n").dropFirst(2).dropLast().joined(separator: "\n")),
                "a plan's testsuite is the one quake run PLAN writes")
    }

    @Test func theSummaryHasARowAndALinkPerPlan() throws {
        let suite = try Self.sample()
        #expect(suite.verdict == "error")
        let md = SuiteMarkdownReport.render(suite)
        #expect(md.hasPrefix("# Suite nightly: ERROR\n"))
        #expect(md.contains("scheduled `0 2 * * *`; 4 plans: 1 error, 1 aborted, 1 fail, 1 pass."))
        #expect(md.contains("| plan | target | verdict | score | TTR | failed requests | report |"))
        for folder in ["passing", "failing", "aborted"] { #expect(md.contains("[report](\(folder)/report.md)")) }
        #expect(!md.contains("broken/report.md"), "a plan without a record has no report to link")
        #expect(md.contains("- **broken & <bad>.yaml** (error): the plan is invalid"))
        let record = try JUnitReportTests.sample()
        #expect(md.contains("| \(record.plan) | \(record.target) | **pass** | \(String(format: "%.1f", record.score ?? 0)) |"))
    }

    @Test func theIndexLinksEveryPlansPageAndNeedsNoNetwork() throws {
        let page = SuiteHTMLReport.render(try Self.sample())
        for folder in ["passing", "failing", "aborted"] { #expect(page.contains("<a href=\"\(folder)/report.html\">report</a>")) }
        #expect(page.contains("<td>failing &lt;plan&gt;</td>"))
        #expect(page.contains("<td class=\"error\">error</td>"))
        #expect(page.contains("<code>0 2 * * *</code>"))
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"), "self-contained")
    }
}
