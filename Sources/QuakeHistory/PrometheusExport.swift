/// The latest runs as Prometheus metrics in the text exposition format, for node-exporter's
/// textfile collector or a Pushgateway (docs/history.md): one family per figure, one sample per
/// plan and target, no sample timestamps. Figures a run does not have (no score, never
/// recovered) are left out rather than written as zero.
public enum PrometheusExport {
    /// Every verdict a run or an SLO can have; the verdict families write one sample per verdict,
    /// 1 for the run's and 0 for the others, so `== 1` selects it and absence means no run.
    static let verdicts = ["pass", "fail", "inconclusive", "aborted", "error"]

    /// The exposition text of `entries` (at most one per plan and target, as ``HistoryStore/latest()`` gives).
    public static func render(_ entries: [HistoryEntry]) -> String {
        var out = ""
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                out += "\(name){\(labels)} \(sample.value)\n"
            }
        }
        func run(_ value: (HistoryEntry) -> Double?) -> [(labels: [(String, String)], value: String)] {
            entries.compactMap { entry in value(entry).map { (labels: [("plan", entry.plan), ("target", entry.target)], value: number($0)) } }
        }
        family("quake_run_timestamp_seconds", "When the latest run of the plan started, in seconds since 1970 (UTC).", run { $0.startedAt.timeIntervalSince1970.rounded() })
        family("quake_run_verdict", "The latest run's verdict: 1 for the verdict it had, 0 for the others.", entries.flatMap { entry in
            verdicts.map { (labels: [("plan", entry.plan), ("target", entry.target), ("verdict", $0)], value: $0 == entry.verdict ? "1" : "0") }
        })
        family("quake_run_score", "The latest run's resilience score, 0 to 100.", run(\.score))
        family("quake_run_score_low", "Lower end of the 95 % interval of the score over the seeds of a repeated run.", run { $0.scoreInterval?.low })
        family("quake_run_score_high", "Upper end of the 95 % interval of the score over the seeds of a repeated run.", run { $0.scoreInterval?.high })
        family("quake_run_time_to_detect_seconds", "Seconds from the first fault until the entry service was hurt.", run(\.timeToDetectSeconds))
        family("quake_run_time_to_recover_seconds", "Seconds until the entry service recovered.", run(\.timeToRecoverSeconds))
        family("quake_run_failed_requests", "Failed requests of the services clients call, in the latest run.", run { Double($0.failedRequests) })
        family("quake_run_requests", "Requests of the services clients call, in the latest run.", run { Double($0.totalRequests) })
        family("quake_run_error_budget_burn", "Error budget burned against the first availability SLO, as a share of the budget.", run(\.errorBudgetBurn))
        family("quake_run_wall_seconds", "How long the latest run took on the wall clock.", run(\.wallSeconds))
        family("quake_slo_value", "Each SLO's measured value in the latest run, in the SLI's unit.", entries.flatMap { entry in
            entry.slos.compactMap { slo in slo.value.map { (labels: [("plan", entry.plan), ("target", entry.target), ("slo", slo.name)], value: number($0)) } }
        })
        family("quake_slo_verdict", "Each SLO's verdict in the latest run: 1 for the verdict it had, 0 for the others.", entries.flatMap { entry in
            entry.slos.flatMap { slo in
                ["pass", "fail", "inconclusive"].map { (labels: [("plan", entry.plan), ("target", entry.target), ("slo", slo.name), ("verdict", $0)], value: $0 == slo.verdict ? "1" : "0") }
            }
        })
        return out
    }

    /// A label value with `\`, `"` and line feeds escaped as the format asks.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value: whole numbers without a fraction, `+Inf`, `-Inf` and `NaN` as the format spells them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
