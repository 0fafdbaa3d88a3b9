import Foundation
import QuakeCore
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

    /// `record` with its comparison against the earlier runs of its plan on its target in the
    /// history (``RegressionCheck``; none when there are no earlier runs), and the trend of the
    /// last runs with this one, linked from `folder`. A history that cannot be read is a warning.
    static func compare(_ record: RunRecord, folder: String, history: String?) -> (record: RunRecord, trend: RunTrend?) {
        let path = HistoryLocation.path(flag: history)
        guard FileManager.default.fileExists(atPath: path) else { return (record, nil) }
        let earlier: [HistoryEntry]
        do {
            earlier = try HistoryStore(path: path).runs(plan: record.plan, target: record.target, limit: RunTrend.limit - 1)
        } catch {
            PlanLoading.printError("warning: \(record.plan): the run was not compared with its history: \(error)")
            return (record, nil)
        }
        guard !earlier.isEmpty else { return (record, nil) }
        var judged = record
        func checked(_ id: String, _ verdict: String, _ score: Double?, detect: Double?, recover: Double?) -> RegressionCheck.Run {
            RegressionCheck.Run(id: id, verdict: Verdict(rawValue: verdict) ?? .error, score: score, timeToRecover: recover.map { TimeSpan(seconds: $0) }, hurt: detect != nil)
        }
        let current = checked("this run", record.verdict, record.score, detect: record.metrics.timeToDetectSeconds, recover: record.metrics.timeToRecoverSeconds)
        let runs = earlier.map { checked($0.id, $0.verdict, $0.score, detect: $0.timeToDetectSeconds, recover: $0.timeToRecoverSeconds) }
        judged.regressions = RegressionCheck.judge(current, earlier: runs).map(RunRecord.Regression.init)
        let points = Self.points(earlier, linkedFrom: folder)
            + [RunTrend.Point(id: "this run", startedAt: record.startedAt, verdict: record.verdict, score: record.score,
                              timeToRecoverSeconds: record.metrics.timeToRecoverSeconds, errorBudgetBurn: record.metrics.errorBudgetBurn, link: nil)]
        return (judged, RunTrend(points: points))
    }

    /// The last runs of `plan` on `target` in the history (this one included, once appended),
    /// linked from `folder`; nil when the history cannot be read or holds fewer than two.
    static func trend(plan: String, target: String, folder: String, history: String?) -> RunTrend? {
        let path = HistoryLocation.path(flag: history)
        guard FileManager.default.fileExists(atPath: path),
              let runs = try? HistoryStore(path: path).runs(plan: plan, target: target, limit: RunTrend.limit), runs.count >= 2 else { return nil }
        return RunTrend(points: points(runs, linkedFrom: folder))
    }

    /// `entries` (newest first) as trend points, oldest first, each linking to its report from `folder`.
    private static func points(_ entries: [HistoryEntry], linkedFrom folder: String) -> [RunTrend.Point] {
        let here = URL(fileURLWithPath: folder).standardizedFileURL.path
        return entries.reversed().map { entry in
            RunTrend.Point(id: entry.id, startedAt: Self.instant(entry.startedAt), verdict: entry.verdict, score: entry.score,
                           timeToRecoverSeconds: entry.timeToRecoverSeconds, errorBudgetBurn: entry.errorBudgetBurn,
                           link: entry.reportFolder.map { Self.relative($0 + "/report.html", from: here) })
        }
    }

    /// `date` as run.json writes instants.
    private static func instant(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// `path` relative to the folder `base` (both absolute).
    static func relative(_ path: String, from base: String) -> String {
        let target = path.split(separator: "/"), from = base.split(separator: "/")
        let common = zip(target, from).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: from.count - common) + target[common...].map(String.init)).joined(separator: "/")
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
