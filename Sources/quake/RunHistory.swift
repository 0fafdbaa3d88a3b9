import Foundation
import QuakeHistory
import QuakeReport

/// Appends each finished run to the run history (docs/history.md), after its reports are written.
enum RunHistory {
    /// Appends `record`, written to `folder` from `planFile`, to the history at `history` (else
    /// `$QUAKE_HISTORY`, else the default file). A history that cannot be written is a warning on
    /// standard error, never a failed run.
    static func append(_ record: RunRecord, planFile: String, folder: String, history: String?) {
        let path = HistoryLocation.path(flag: history)
        do {
            let entry = try entry(of: record, json: ReportFiles.json(record), planFile: planFile, folder: folder)
            try HistoryStore(path: path).append(entry)
        } catch {
            PlanLoading.printError("warning: \(record.plan): the run was not added to the history: \(error)")
        }
    }

    /// The history entry of `record`, whose `run.json` text is `json`.
    static func entry(of record: RunRecord, json: String, planFile: String?, folder: String?) throws -> HistoryEntry {
        guard let startedAt = ISO8601DateFormatter().date(from: record.startedAt) else {
            throw HistoryError(code: .badArgument, message: "the record's startedAt \(record.startedAt) is not an ISO 8601 instant")
        }
        let score = record.repeats?.metrics.first { $0.name == "score" }
        return HistoryEntry(
            plan: record.plan, planFile: planFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, target: record.target, startedAt: startedAt, wallSeconds: record.wallSeconds,
            verdict: record.verdict, score: record.score,
            scoreInterval: score.flatMap { figure in figure.low.flatMap { low in figure.high.map { HistoryEntry.ScoreInterval(low: low, high: $0) } } },
            timeToDetectSeconds: record.metrics.timeToDetectSeconds, timeToRecoverSeconds: record.metrics.timeToRecoverSeconds,
            failedRequests: record.metrics.failedRequests, totalRequests: record.metrics.totalRequests, errorBudgetBurn: record.metrics.errorBudgetBurn,
            tags: record.tags, slos: record.slos.map { HistoryEntry.SLOResult(name: $0.name, value: $0.value, verdict: $0.verdict) },
            reportFolder: folder.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, record: json
        )
    }
}
