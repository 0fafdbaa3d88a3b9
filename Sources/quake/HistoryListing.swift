import Foundation
import QuakeHistory

/// How `quake history` shows runs: a table for people, JSON for programs (docs/history.md).
enum HistoryListing {
    /// One run as `quake history --json` writes it: every key present, `null` where there is no
    /// value; the stored run.json is left out (its `reportFolder` has it).
    struct Run: Encodable {
        var entry: HistoryEntry

        init(_ entry: HistoryEntry) { self.entry = entry }

        private enum Keys: String, CodingKey {
            case id, plan, planFile, target, startedAt, wallSeconds, verdict, score, scoreLow, scoreHigh, timeToDetectSeconds,
                 timeToRecoverSeconds, failedRequests, totalRequests, errorBudgetBurn, tags, slos, reportFolder
        }

        private enum SLOKeys: String, CodingKey { case name, value, verdict }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(entry.id, forKey: .id)
            try c.encode(entry.plan, forKey: .plan)
            try c.encode(entry.planFile, forKey: .planFile)
            try c.encode(entry.target, forKey: .target)
            try c.encode(ISO8601DateFormatter().string(from: entry.startedAt), forKey: .startedAt)
            try c.encode(entry.wallSeconds, forKey: .wallSeconds)
            try c.encode(entry.verdict, forKey: .verdict)
            try c.encode(entry.score, forKey: .score)
            try c.encode(entry.scoreInterval?.low, forKey: .scoreLow)
            try c.encode(entry.scoreInterval?.high, forKey: .scoreHigh)
            try c.encode(entry.timeToDetectSeconds, forKey: .timeToDetectSeconds)
            try c.encode(entry.timeToRecoverSeconds, forKey: .timeToRecoverSeconds)
            try c.encode(entry.failedRequests, forKey: .failedRequests)
            try c.encode(entry.totalRequests, forKey: .totalRequests)
            try c.encode(entry.errorBudgetBurn, forKey: .errorBudgetBurn)
            try c.encode(entry.tags, forKey: .tags)
            var slos = c.nestedUnkeyedContainer(forKey: .slos)
            for slo in entry.slos {
                var s = slos.nestedContainer(keyedBy: SLOKeys.self)
                try s.encode(slo.name, forKey: .name)
                try s.encode(slo.value, forKey: .value)
                try s.encode(slo.verdict, forKey: .verdict)
            }
            try c.encode(entry.reportFolder, forKey: .reportFolder)
        }
    }

    /// The runs as an aligned table: time (UTC), plan, target, verdict, score, time to recover,
    /// failed requests of all, run id.
    static func table(_ entries: [HistoryEntry]) -> String {
        let time = DateFormatter()
        time.locale = Locale(identifier: "en_US_POSIX")
        time.timeZone = TimeZone(identifier: "UTC")
        time.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let header = ["TIME (UTC)", "PLAN", "TARGET", "VERDICT", "SCORE", "TTR", "FAILED", "RUN ID"]
        let rows = entries.map { entry in
            [
                time.string(from: entry.startedAt), entry.plan, entry.target, entry.verdict,
                entry.score.map { String(format: "%.1f", $0) } ?? "-",
                entry.timeToRecoverSeconds.map { String(format: "%.1fs", $0) } ?? "-",
                "\(entry.failedRequests)/\(entry.totalRequests)", entry.id,
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
