/// `summary.md` of a suite: its verdict and one table row per plan, linking each plan's report.
public enum SuiteMarkdownReport {
    /// The summary as Markdown.
    public static func render(_ s: SuiteRecord) -> String {
        var out = "# Suite \(s.name): \(s.verdict.uppercased())\n\n"
        if !s.description.isEmpty { out += s.description + "\n\n" }
        out += "Started \(s.startedAt)" + (s.schedule.map { ", scheduled `\($0)`" } ?? "") + "; \(s.entries.count) plan\(s.entries.count == 1 ? "" : "s"): "
        out += s.counts.map { "\($0.count) \($0.verdict)" }.joined(separator: ", ") + ".\n\n"
        out += "| plan | target | verdict | score | TTR | failed requests | report |\n"
        out += "| --- | --- | --- | --- | --- | --- | --- |\n"
        for e in s.entries {
            let m = e.record?.metrics
            let ttr = m.map { $0.timeToRecoverSeconds.map(ReportText.seconds) ?? ($0.timeToDetectSeconds == nil ? "—" : "did not recover") } ?? "—"
            let failed = m.map { "\(ReportText.grouped($0.failedRequests)) of \(ReportText.grouped($0.totalRequests))" } ?? "—"
            let link = e.record == nil ? "—" : "[report](\(e.folder)/report.md)"
            out += "| \(ReportText.cell(e.name)) | \(e.target) | **\(e.verdict)** | \(e.record?.score.map(ReportText.score) ?? "—") | \(ttr) | \(failed) | \(link) |\n"
        }
        let regressed = s.regressions
        if !regressed.isEmpty {
            out += "\n## Against recent runs\n\n"
            for (name, findings) in regressed {
                for g in findings { out += "- \(ReportText.cell(name)): \(ReportText.regression(g))\n" }
            }
        }
        let unrun = s.entries.filter { $0.reason != nil }
        if !unrun.isEmpty {
            out += "\n## Plans without a verdict\n\n"
            for e in unrun { out += "- **\(e.file)** (\(e.verdict)): \(e.reason ?? "")\n" }
        }
        return out
    }
}
