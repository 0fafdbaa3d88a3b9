import Foundation
import QuakeCore

/// Wording shared by the Markdown and HTML reports.
enum ReportText {
    /// The one-line outcome under the title.
    static func outcome(_ r: RunRecord) -> String {
        if let abort = r.abort { return "Aborted at \(seconds(abort.at)) by \(abort)." }
        let failed = r.slos.filter { $0.verdict == "fail" }
        let inconclusive = r.slos.filter { $0.verdict == "inconclusive" }
        if r.slos.isEmpty { return "The plan has no SLO, so nothing was judged." }
        if !failed.isEmpty {
            return "\(failed.count) of \(r.slos.count) SLOs failed: " + failed.map { "\($0.name) (\($0.valueText) against \($0.objective))" }.joined(separator: ", ") + "."
        }
        if !inconclusive.isEmpty {
            return "No SLO failed, but \(inconclusive.count) could not be judged: " + inconclusive.map { "\($0.name) — \($0.reason)" }.joined(separator: "; ") + "."
        }
        return "Every SLO held (\(r.slos.count) of \(r.slos.count))."
    }

    /// The moments a reader wants in the timeline table, in time order.
    static func keyMoments(_ r: RunRecord) -> [(at: Double, text: String)] {
        var rows: [(Double, String)] = []
        var seen: Set<String> = []
        func once(_ key: String, _ at: Double, _ text: String) {
            if seen.insert(key).inserted { rows.append((at, text)) }
        }
        for e in r.timeline.events {
            switch e.kind {
            case "fault-injected": rows.append((e.at, "fault injected: \(e.detail)"))
            case "fault-reverted": rows.append((e.at, "fault reverted: \(e.detail)"))
            case "procedure-step": rows.append((e.at, "\(e.subject): \(e.detail)"))
            case "node-not-ready": once("nnr", e.at, "first node NotReady: \(e.subject)")
            case "endpoints-dropped": once("ed", e.at, "first endpoints dropped: \(e.subject)")
            case "host-ejected": once("he-" + e.detail, e.at, "host ejected: \(e.subject) \(e.detail)")
            case "ejection-blocked": once("eb", e.at, "ejection blocked: \(e.subject) \(e.detail)")
            case "membership-changed": once("mc-" + e.subject + e.detail, e.at, "members of \(e.subject): \(e.detail)")
            case "taint-added" where e.detail.contains("NoExecute"): once("ne-" + e.subject.prefix(3), e.at, "NoExecute taint: \(e.subject) \(e.detail)")
            case "pod-evicted": once("pe", e.at, "first pod evicted: \(e.subject)")
            case "cluster-not-ready": rows.append((e.at, "cluster NotReady: \(e.subject) \(e.detail)"))
            case "cluster-ready" where e.detail.hasPrefix("Ready"): rows.append((e.at, "cluster Ready again: \(e.subject)"))
            case "binding-evicted": rows.append((e.at, "Karmada evicted \(e.subject): \(e.detail)"))
            case "replicas-changed": rows.append((e.at, "replicas of \(e.subject): \(e.detail)"))
            case "node-ready": once("nr", e.at, "first node Ready again: \(e.subject)")
            case "probe-failing": rows.append((e.at, "probe \(e.subject) failing: \(e.detail)"))
            case "probe-passing": rows.append((e.at, "probe \(e.subject) passing again"))
            default: break
            }
        }
        let w = r.timeline.windowSeconds
        // Probes whose checks carry no reasons (the model's): their first window with a failed check.
        let explained = Set(r.timeline.events.filter { $0.kind == "probe-failing" }.map(\.subject))
        for p in r.timeline.probes where !explained.contains(p.name) {
            if let first = p.checks.indices.first(where: { p.passes[$0] < p.checks[$0] }) {
                rows.append((Double(first) * w, "first failed checks of probe \(p.name)"))
            }
        }
        if let first = r.faults.map(\.injectedAt).min() {
            for s in r.timeline.services {
                // A fault scheduled after the timeline's end (a run aborted before it) has no windows.
                let start = min(Int(first / w), s.requests.count)
                if let e = (start..<s.requests.count).first(where: { s.requests[$0] > s.successes[$0] }) {
                    rows.append((Double(e) * w, "first failed requests of \(s.service)"))
                }
            }
            if let ttd = r.metrics.timeToDetectSeconds { rows.append((first + ttd, "detection: first unhealthy window")) }
            if let ttr = r.metrics.timeToRecoverSeconds { rows.append((first + ttr, "recovery: healthy again")) }
        }
        if let abort = r.abort { rows.append((abort.at, "aborted by \(abort)")) }
        return rows.enumerated().sorted { $0.element.0 != $1.element.0 ? $0.element.0 < $1.element.0 : $0.offset < $1.offset }.map { (at: $0.element.0, text: $0.element.1) }
    }

    /// A regression finding as one sentence.
    static func regression(_ g: RunRecord.Regression) -> String {
        "\(g.regression ? "**Regression**" : "**Flaky**") (\(g.kind)): \(g.detail). Judged against \(g.against.joined(separator: ", "))."
    }

    /// A regression finding as HTML (without the runs it was judged against).
    static func regressionHTML(_ g: RunRecord.Regression) -> String {
        "<b>\(g.regression ? "Regression" : "Flaky")</b> (\(html(g.kind))): \(html(g.detail))"
    }

    static func seconds(_ s: Double) -> String { TimeSpan(seconds: (s * 10).rounded() / 10).description }

    static func score(_ s: Double) -> String { String(format: "%.1f", s) }

    static func number(_ v: Double) -> String { abs(v) >= 100 || v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.3f", v) }

    static func grouped(_ n: Int) -> String { RunSummary.grouped(n) }

    /// Text safe in a Markdown table cell.
    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
