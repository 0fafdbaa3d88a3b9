import Foundation

/// `report.html`: the Markdown report's content as one self-contained page (no network), with
/// inline SVG charts — success ratio and p99 latency with fault windows shaded, traffic share per
/// cluster, ready replicas per cluster.
public enum HTMLReport {
    /// The page; with `trend` (the plan's recent runs from the history), its trend charts too.
    public static func render(_ r: RunRecord, trend: RunTrend? = nil) -> String {
        var body = ""
        func add(_ s: String) { body += s + "\n" }
        let verdictClass = r.verdict == "pass" ? "pass" : r.verdict == "fail" || r.verdict == "aborted" || r.verdict == "error" ? "fail" : "warn"
        add("<header><h1>\(html(r.plan)) <span class=\"badge \(verdictClass)\">\(html(r.verdict.uppercased()))</span>" + (r.score.map { " <span class=\"score\">score \(ReportText.score($0))/100</span>" } ?? "") + "</h1>")
        add("<p class=\"outcome\">\(html(ReportText.outcome(r)))</p>")
        add("<p class=\"meta\">\(html(r.target)) target · seed \(r.seed) · started \(html(r.startedAt)) · \(ReportText.seconds(r.durationSeconds)) experiment · \(String(format: "%.2f", r.wallSeconds)) s wall time</p>")
        if !r.description.isEmpty { add("<p>\(html(r.description))</p>") }
        add("</header>")
        let m = r.metrics
        add("<section class=\"cards\">")
        add(card("failed requests", "\(ReportText.grouped(m.failedRequests)) / \(ReportText.grouped(m.totalRequests))"))
        add(card("time to detect", m.timeToDetectSeconds.map(ReportText.seconds) ?? "never hurt"))
        add(card("time to recover", m.timeToRecoverSeconds.map(ReportText.seconds) ?? (m.timeToDetectSeconds == nil ? "—" : "did not recover")))
        add(card("error budget burn", m.errorBudgetBurn.map { String(format: "%.2f×", $0) } ?? "—"))
        add("</section>")
        add("<section><h2>Charts</h2>")
        for chart in charts(r) { add("<figure>\(chart)</figure>") }
        add("</section>")
        if let section = trend?.section(), !section.isEmpty { add(section) }
        if let regressions = r.regressions {
            let items = regressions.map { g in
                "<li>\(ReportText.regressionHTML(g)). Judged against \(html(g.against.joined(separator: ", "))).</li>"
            }
            add("<section><h2>Against recent runs</h2><ul>" + (items.isEmpty ? "<li>No regression against the plan's recent runs, and no flakiness.</li>" : items.joined()) + "</ul></section>")
        }
        add("<section><h2>SLOs</h2><table><tr><th>SLO</th><th>SLI</th><th>objective</th><th>value</th><th>verdict</th><th>reason</th></tr>")
        for s in r.slos {
            add("<tr><td>\(html(s.name))</td><td><code>\(html(s.sli))</code></td><td><code>\(html(s.objective))</code>\(s.window.map { " per \(html($0))" } ?? "")</td><td>\(html(s.valueText))</td><td class=\"\(s.verdict)\">\(html(s.verdict))</td><td>\(html(s.reason))</td></tr>")
        }
        add("</table></section>")
        add("<section><h2>Timeline</h2><table><tr><th>t</th><th>what happened</th></tr>")
        for row in ReportText.keyMoments(r) { add("<tr><td>\(ReportText.seconds(row.at))</td><td>\(html(row.text))</td></tr>") }
        add("</table></section>")
        add("<section><h2>Attribution</h2><table><tr><th>service</th><th>requests</th><th>failed</th><th>by cause</th><th>failed at cluster</th></tr>")
        for a in r.attribution {
            add("<tr><td>\(html(a.service))</td><td>\(ReportText.grouped(a.requests))</td><td>\(ReportText.grouped(a.failures))</td><td>\(html(a.causes.map { "\($0.name) \(ReportText.grouped($0.count))" }.joined(separator: "; ")))</td><td>\(html(a.clusters.map { "\($0.name) \(ReportText.grouped($0.count))" }.joined(separator: "; ")))</td></tr>")
        }
        add("</table>")
        add("<h3>Faults</h3><ul>")
        for f in r.faults { add("<li><b>\(f.verified ? "verified" : "NOT verified")</b>: \(html(f.description)) from \(ReportText.seconds(f.injectedAt)) to \(ReportText.seconds(f.revertedAt)) — \(html(f.evidence))</li>") }
        add("</ul></section>")
        add("<section><h2>Contributing factors</h2><ul>" + (r.findings.isEmpty ? "<li>None found.</li>" : r.findings.map { "<li>\(html($0))</li>" }.joined()) + "</ul>")
        add("<h2>Follow-ups</h2><ul>" + (r.followUps.isEmpty ? "<li>None.</li>" : r.followUps.map { "<li>\(html($0))</li>" }.joined()) + "</ul></section>")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(html(r.plan)) — \(html(r.verdict))</title>
            <style>\(style)</style></head>
            <body>
            \(body)</body></html>

            """
    }

    private static func card(_ label: String, _ value: String) -> String {
        "<div class=\"card\"><div class=\"label\">\(html(label))</div><div class=\"value\">\(html(value))</div></div>"
    }

    static func charts(_ r: RunRecord) -> [String] {
        let step = r.timeline.windowSeconds
        let faults = r.faults.map { (from: $0.injectedAt, to: $0.revertedAt) }
        var charts: [String] = []
        let ratio = r.timeline.services.map { s -> SVGChart.Series in
            SVGChart.Series(name: s.service, values: zip(s.requests, s.successes).map { $0 > 0 ? 100 * Double($1) / Double($0) : nil })
        }
        if !ratio.isEmpty {
            let low = max(0, min(99, (ratio.flatMap { $0.values.compactMap { $0 } }.min() ?? 99).rounded(.down)))
            charts.append(chart("Success ratio (%)", ratio, step: step, y: "%", range: low...100, shaded: faults))
            let p99 = r.timeline.services.map { SVGChart.Series(name: $0.service, values: $0.p99Milliseconds) }
            charts.append(chart("p99 latency (ms)", p99, step: step, y: "ms", range: nil, shaded: faults))
        }
        for service in r.timeline.services.map(\.service) {
            let clusters = r.timeline.clusters.filter { $0.service == service }
            guard !clusters.isEmpty else { continue }
            let totals = (0..<(clusters.first?.successes.count ?? 0)).map { w in clusters.reduce(0) { $0 + $1.successes[w] } }
            let shares = clusters.map { c in
                SVGChart.Series(name: "\(c.region)/\(c.cluster)", values: c.successes.enumerated().map { totals[$0] > 0 ? 100 * Double($1) / Double(totals[$0]) : nil })
            }
            charts.append(chart("Traffic share of \(service) per cluster (%)", shares, step: step, y: "%", range: 0...100, shaded: faults))
        }
        let services = Array(Set(r.timeline.replicas.map(\.service))).sorted()
        for service in services {
            let series = r.timeline.replicas.filter { $0.service == service }.map { SVGChart.Series(name: $0.cluster, values: $0.ready.map(Double.init)) }
            let top = Double(r.timeline.replicas.filter { $0.service == service }.flatMap(\.ready).max() ?? 1)
            charts.append(chart("Ready replicas of \(service) per cluster", series, step: step, y: "pods", range: 0...max(1, top + 1), shaded: faults))
        }
        return charts
    }

    private static func chart(_ title: String, _ series: [SVGChart.Series], step: Double, y: String, range: ClosedRange<Double>?, shaded: [(from: Double, to: Double)]) -> String {
        var sampled: [SVGChart.Series] = []
        var sampledStep = step
        for s in series {
            let d = SVGChart.downsample(s.values, step: step)
            sampled.append(SVGChart.Series(name: s.name, values: d.values))
            sampledStep = d.step
        }
        return SVGChart(title: title, step: sampledStep, series: sampled, yLabel: y, yRange: range, shaded: shaded).render()
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:940px;color:#111827;padding:0 16px}
        h1{font-size:24px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px}
        .badge{font-size:13px;padding:2px 8px;border-radius:10px;vertical-align:middle;color:#fff}.badge.pass{background:#16a34a}.badge.fail{background:#dc2626}.badge.warn{background:#d97706}
        .score{font-size:14px;color:#374151;font-weight:normal}.outcome{font-size:15px}.meta{color:#6b7280}
        .cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;min-width:150px}.card .label{color:#6b7280;font-size:12px}.card .value{font-size:18px}
        table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
        td.pass{color:#16a34a;font-weight:600}td.fail{color:#dc2626;font-weight:600}td.inconclusive{color:#d97706;font-weight:600}
        figure{margin:8px 0}svg{width:100%;height:auto}svg .title{font-size:13px;font-weight:600}svg .axis,svg .legend{font-size:11px;fill:#374151}
        svg .grid{stroke:#e5e7eb}svg .fault{fill:#fee2e2;opacity:.8}code{font-size:12px}
        """
}
