import Foundation
import QuakeCore

/// `report.md`: the incident-style report of a run, rendered from its record.
public enum MarkdownReport {
    /// The report as Markdown.
    public static func render(_ r: RunRecord) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("# \(r.plan): \(r.verdict.uppercased())" + (r.score.map { " — resilience score \(ReportText.score($0))/100" } ?? ""))
        line()
        line("> \(ReportText.outcome(r))")
        line()
        line("\(r.target) target, seed \(r.seed), started \(r.startedAt), \(ReportText.seconds(r.durationSeconds)) experiment, \(String(format: "%.2f", r.wallSeconds)) s of wall time.")
        if !r.description.isEmpty { line(); line(r.description) }
        line()
        line("## Summary")
        line()
        for fault in r.faults {
            line("- **Broken:** \(fault.description) from \(ReportText.seconds(fault.injectedAt)) to \(ReportText.seconds(fault.revertedAt)) (\(ReportText.seconds(fault.revertedAt - fault.injectedAt)))" + (fault.verified ? "." : " — **not verified**: \(fault.evidence)."))
        }
        if r.faults.isEmpty { line("- **Broken:** nothing (a baseline run).") }
        let m = r.metrics
        let share = m.totalRequests > 0 ? String(format: " (%.3f%%)", 100 * Double(m.failedRequests) / Double(m.totalRequests)) : ""
        line("- **Impact:** \(ReportText.grouped(m.failedRequests)) of \(ReportText.grouped(m.totalRequests)) requests failed\(share)" + (m.errorBudgetBurn.map { String(format: "; error budget burn %.2f×", $0) } ?? "") + ".")
        line("- **Time to detect:** \(m.timeToDetectSeconds.map(ReportText.seconds) ?? "never hurt") · **time to recover:** \(m.timeToRecoverSeconds.map(ReportText.seconds) ?? (m.timeToDetectSeconds == nil ? "nothing to recover" : "did not recover")).")
        if let abort = r.abort { line("- **Aborted** at \(ReportText.seconds(abort.at)) by \(abort); faults were reverted.") }
        line()
        line("## Timeline")
        line()
        line("| t | what happened |")
        line("| --- | --- |")
        for row in ReportText.keyMoments(r) { line("| \(ReportText.seconds(row.at)) | \(ReportText.cell(row.text)) |") }
        line()
        line("## SLOs")
        line()
        line("| SLO | SLI | objective | value | verdict | reason |")
        line("| --- | --- | --- | --- | --- | --- |")
        for s in r.slos {
            line("| \(ReportText.cell(s.name)) | `\(s.sli)` | `\(s.objective)`\(s.window.map { " per \($0)" } ?? "") | \(s.valueText) | **\(s.verdict)** | \(ReportText.cell(s.reason)) |")
        }
        if !r.excludedFromScore.isEmpty { line(); line("Left out of the score (inconclusive): \(r.excludedFromScore.joined(separator: ", ")).") }
        if let repeats = r.repeats {
            line()
            line("## Over \(repeats.seeds.count) seeds")
            line()
            line("| figure | mean | 95 % interval | verdicts | |")
            line("| --- | --- | --- | --- | --- |")
            for f in repeats.slos + repeats.metrics {
                line("| \(ReportText.cell(f.name)) | \(f.mean.map(ReportText.number) ?? "-") | \(f.low.map(ReportText.number) ?? "-") – \(f.high.map(ReportText.number) ?? "-") | \(f.verdicts.joined(separator: " ")) | \(f.flaky ? "**flaky**" : "") |")
            }
        }
        if let regressions = r.regressions {
            line()
            line("## Against recent runs")
            line()
            if regressions.isEmpty { line("No regression against the plan's recent runs, and no flakiness.") }
            for g in regressions { line("- \(ReportText.regression(g))") }
        }
        line()
        line("## Attribution")
        line()
        line("| service | requests | failed | by cause | failed at cluster |")
        line("| --- | --- | --- | --- | --- |")
        for a in r.attribution {
            line("| \(a.service) | \(ReportText.grouped(a.requests)) | \(ReportText.grouped(a.failures)) | \(a.causes.map { "\($0.name) \(ReportText.grouped($0.count))" }.joined(separator: "; ")) | \(a.clusters.map { "\($0.name) \(ReportText.grouped($0.count))" }.joined(separator: "; ")) |")
        }
        line()
        line("## Blast radius")
        line()
        line("- **Intended:** " + (r.faults.isEmpty ? "nothing" : r.faults.map { "\($0.kind) `\($0.target)`" }.joined(separator: ", ")) + ".")
        let hit = r.attribution.filter { $0.failures > 0 }
        line("- **Observed:** " + (hit.isEmpty ? "no failed request." : hit.map { "\($0.service) (\(ReportText.grouped($0.failures)) failed, at \($0.clusters.map(\.name).joined(separator: ", ")))" }.joined(separator: "; ") + "."))
        for f in r.faults { line("- \(f.verified ? "Verified" : "**Not verified**"): \(f.description) — \(f.evidence).") }
        line()
        line("## Contributing factors")
        line()
        if r.findings.isEmpty { line("None found.") }
        for f in r.findings { line("- \(f)") }
        line()
        line("## Follow-ups")
        line()
        if r.followUps.isEmpty { line("None.") }
        for f in r.followUps { line("- [ ] \(f)") }
        if !r.warnings.isEmpty {
            line()
            line("## Warnings")
            line()
            for w in r.warnings { line("- \(ReportText.cell(w))") }
        }
        return out
    }
}
