/// `report.html` of a suite: a self-contained index page (no network) with one row per plan,
/// linking each plan's own `report.html`.
public enum SuiteHTMLReport {
    /// The page.
    /// The page; `trends` (by entry folder, from the history) adds each plan's recent runs.
    public static func render(_ s: SuiteRecord, trends: [String: RunTrend] = [:]) -> String {
        var body = ""
        func add(_ line: String) { body += line + "\n" }
        add("<header><h1>Suite \(html(s.name)) <span class=\"badge \(badge(s.verdict))\">\(html(s.verdict.uppercased()))</span></h1>")
        if !s.description.isEmpty { add("<p>\(html(s.description))</p>") }
        add("<p class=\"meta\">started \(html(s.startedAt))" + (s.schedule.map { " · scheduled <code>\(html($0))</code>" } ?? "") + " · "
            + html(s.counts.map { "\($0.count) \($0.verdict)" }.joined(separator: ", ")) + "</p></header>")
        add("<section><table><tr><th>plan</th><th>target</th><th>verdict</th><th>score</th><th>TTR</th><th>failed requests</th><th>report</th></tr>")
        for e in s.entries {
            let m = e.record?.metrics
            let ttr = m.map { $0.timeToRecoverSeconds.map(ReportText.seconds) ?? ($0.timeToDetectSeconds == nil ? "—" : "did not recover") } ?? "—"
            let failed = m.map { "\(ReportText.grouped($0.failedRequests)) of \(ReportText.grouped($0.totalRequests))" } ?? "—"
            let link = e.record == nil ? html(e.reason ?? "") : "<a href=\"\(html(e.folder))/report.html\">report</a>"
            add("<tr><td>\(html(e.name))</td><td>\(html(e.target))</td><td class=\"\(e.verdict)\">\(html(e.verdict))</td><td>\(e.record?.score.map(ReportText.score) ?? "—")</td><td>\(html(ttr))</td><td>\(html(failed))</td><td>\(link)</td></tr>")
        }
        add("</table></section>")
        let regressed = s.regressions
        if !regressed.isEmpty {
            add("<section><h2>Against recent runs</h2><ul>")
            for (name, findings) in regressed {
                for g in findings { add("<li>\(html(name)): \(ReportText.regressionHTML(g))</li>") }
            }
            add("</ul></section>")
        }
        for e in s.entries {
            if let section = trends[e.folder]?.section(heading: "\(e.name): recent runs"), !section.isEmpty { add(section) }
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Suite \(html(s.name)) — \(html(s.verdict))</title>
            <style>\(HTMLReport.style)
            td.aborted,td.error{color:#dc2626;font-weight:600}</style></head>
            <body>
            \(body)</body></html>

            """
    }

    private static func badge(_ verdict: String) -> String {
        verdict == "pass" ? "pass" : verdict == "inconclusive" ? "warn" : "fail"
    }
}
