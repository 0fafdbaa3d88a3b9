import Foundation
import GRDB

/// How an entry maps onto the `run` and `slo` tables (HistorySchema).
enum HistoryRow {
    /// The newest-first order of runs: by start, ties by when they were recorded, then by id.
    static let newestFirst = newestFirst("run")

    /// ``newestFirst`` for the table named `table` in the query.
    static func newestFirst(_ table: String) -> String {
        "\(table).startedAt DESC, \(table).recordedAt DESC, \(table).id DESC"
    }

    /// Instants as stored: UTC ISO 8601 with milliseconds, so that text order is time order.
    static func text(_ date: Date) -> String { formatter().string(from: date) }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    /// Inserts `entry` and its SLOs unless its id is stored; whether it was inserted.
    static func insert(_ entry: HistoryEntry, into db: Database) throws -> Bool {
        let tags = String(decoding: try JSONEncoder().encode(entry.tags), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO run (id, plan, planFile, target, startedAt, wallSeconds, verdict, score, scoreLow, scoreHigh,
                             timeToDetectSeconds, timeToRecoverSeconds, failedRequests, totalRequests, errorBudgetBurn,
                             tags, reportFolder, record, recordedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO NOTHING
            """, arguments: [
                entry.id, entry.plan, entry.planFile, entry.target, text(entry.startedAt), entry.wallSeconds, entry.verdict,
                entry.score, entry.scoreInterval?.low, entry.scoreInterval?.high,
                entry.timeToDetectSeconds, entry.timeToRecoverSeconds, entry.failedRequests, entry.totalRequests, entry.errorBudgetBurn,
                tags, entry.reportFolder, entry.record, text(Date()),
            ])
        guard db.changesCount == 1 else { return false }
        for (position, slo) in entry.slos.enumerated() {
            try db.execute(sql: "INSERT INTO slo (runId, position, name, value, verdict) VALUES (?, ?, ?, ?, ?)",
                           arguments: [entry.id, position, slo.name, slo.value, slo.verdict])
        }
        return true
    }

    /// The runs `filter` (a WHERE clause or nothing) selects, ordered and bounded by `suffix`,
    /// with their SLOs, and their records when `records`.
    static func fetch(_ db: Database, where filter: String, arguments: StatementArguments, suffix: String, records: Bool) throws -> [HistoryEntry] {
        let columns = """
            id, plan, planFile, target, startedAt, wallSeconds, verdict, score, scoreLow, scoreHigh, timeToDetectSeconds,
            timeToRecoverSeconds, failedRequests, totalRequests, errorBudgetBurn, tags, reportFolder, \(records ? "record" : "NULL AS record")
            """
        let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM run \(filter) \(suffix)", arguments: arguments)
        var entries = try rows.map(entry)
        guard !entries.isEmpty else { return entries }
        var slos: [String: [HistoryEntry.SLOResult]] = [:]
        let ids = entries.map(\.id)
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        for row in try Row.fetchAll(db, sql: "SELECT runId, name, value, verdict FROM slo WHERE runId IN (\(marks)) ORDER BY runId, position", arguments: StatementArguments(ids)) {
            slos[row["runId"], default: []].append(HistoryEntry.SLOResult(name: row["name"], value: row["value"], verdict: row["verdict"]))
        }
        for index in entries.indices { entries[index].slos = slos[entries[index].id] ?? [] }
        return entries
    }

    /// The entry of one `run` row (without SLOs).
    private static func entry(_ row: Row) throws -> HistoryEntry {
        let id: String = row["id"]
        let startedText: String = row["startedAt"]
        guard let startedAt = formatter().date(from: startedText) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "run \(id) has a start time that is not an ISO 8601 instant: \(startedText)")
        }
        let tagsText: String = row["tags"]
        let low: Double? = row["scoreLow"], high: Double? = row["scoreHigh"]
        return HistoryEntry(
            id: id, plan: row["plan"], planFile: row["planFile"], target: row["target"], startedAt: startedAt,
            wallSeconds: row["wallSeconds"], verdict: row["verdict"], score: row["score"],
            scoreInterval: low.flatMap { low in high.map { HistoryEntry.ScoreInterval(low: low, high: $0) } },
            timeToDetectSeconds: row["timeToDetectSeconds"], timeToRecoverSeconds: row["timeToRecoverSeconds"],
            failedRequests: row["failedRequests"], totalRequests: row["totalRequests"], errorBudgetBurn: row["errorBudgetBurn"],
            tags: try JSONDecoder().decode([String].self, from: Data(tagsText.utf8)),
            reportFolder: row["reportFolder"], record: row["record"]
        )
    }
}
