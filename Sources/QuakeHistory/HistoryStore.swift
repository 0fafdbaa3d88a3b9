import Foundation
import GRDB

/// The run history: one SQLite file in WAL mode (docs/history.md), brought to the latest schema
/// when opened. Every append is one transaction, so a writer that dies half-way leaves the file
/// as it was before it began; several processes may append at once (each waits for the others'
/// transactions, up to 30 s).
///
/// Safe to share across threads; each call is one short database access.
public final class HistoryStore: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens the history at `path`, creating its folder and the database if needed, and applies
    /// the migrations it lacks.
    ///
    /// - Throws: ``HistoryError`` `open` when the file cannot be opened or is not a SQLite
    ///   database, `newerSchema` when a newer Quake wrote it, `database` when a migration failed.
    public init(path: String) throws(HistoryError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "quake-history"
        do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            pool = try Self.openPool(path, configuration)
        } catch {
            throw HistoryError(code: .open, message: "\(path): cannot open the run history: \(Self.reason(error))")
        }
        try migrate()
    }

    /// The pool on `path`. Turning a new file to WAL needs it alone for a moment, and SQLite
    /// answers "busy" at once rather than wait when another process is doing the same, so that is
    /// tried again every 20 ms for up to 30 s.
    private static func openPool(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Brings the schema up to date. Two processes opening a new file at once may both try the
    /// same migration; the loser's failure is harmless once the winner's is committed.
    private func migrate() throws(HistoryError) {
        let migrator = HistorySchema.migrator
        let unknown = try access("read the schema version") { try pool.read { db in try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) } }
        guard unknown.isEmpty else {
            throw HistoryError(code: .newerSchema, message: "\(path): written by a newer Quake (schema migrations \(unknown.sorted().joined(separator: ", ")) are unknown to this one, which knows \(migrator.migrations.joined(separator: ", "))); use that Quake or another --history file")
        }
        do {
            try migrator.migrate(pool)
        } catch {
            let done = (try? pool.read { db in try migrator.hasCompletedMigrations(db) }) ?? false
            if !done { throw HistoryError(code: .database, message: "\(path): cannot bring the run history to the current schema: \(Self.reason(error))") }
        }
    }

    /// The migrations applied to this database, in the order this Quake knows them.
    public func appliedMigrations() throws(HistoryError) -> [String] {
        try access("read the schema version") { try pool.read { db in try HistorySchema.migrator.appliedMigrations(db) } }
    }

    /// Stores `entry` and its SLOs in one transaction; an entry whose id is already stored is left
    /// as it is. Returns whether the entry was new.
    @discardableResult
    public func append(_ entry: HistoryEntry) throws(HistoryError) -> Bool {
        try access("append run \(entry.id)") {
            try pool.writeWithoutTransaction { db in
                var inserted = false
                try db.inTransaction(.immediate) {
                    inserted = try HistoryRow.insert(entry, into: db)
                    return .commit
                }
                return inserted
            }
        }
    }

    /// Runs newest first: of `plan` and `target` when given, started at or after `since` when
    /// given, at most `limit` of them. Their `record` is filled only when `includingRecords`.
    public func runs(plan: String? = nil, target: String? = nil, since: Date? = nil, limit: Int? = nil, includingRecords: Bool = false) throws(HistoryError) -> [HistoryEntry] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let plan { conditions.append("plan = ?"); arguments += [plan] }
        if let target { conditions.append("target = ?"); arguments += [target] }
        if let since { conditions.append("startedAt >= ?"); arguments += [HistoryRow.text(since)] }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let bound = limit.map { " LIMIT \(max($0, 0))" } ?? ""
        return try access("list runs") {
            try pool.read { db in
                try HistoryRow.fetch(db, where: filter, arguments: arguments, suffix: "ORDER BY \(HistoryRow.newestFirst)\(bound)", records: includingRecords)
            }
        }
    }

    /// The run with id `id`, with its record; nil when there is none.
    public func entry(id: String) throws(HistoryError) -> HistoryEntry? {
        try access("read run \(id)") {
            try pool.read { db in try HistoryRow.fetch(db, where: "WHERE id = ?", arguments: [id], suffix: "", records: true).first }
        }
    }

    /// The run `reference` names, with its record: an id, or `last~N` among the runs of `plan`
    /// (every plan when nil).
    ///
    /// - Throws: ``HistoryError`` `notFound` saying what was looked for and how many runs there are.
    public func resolve(_ reference: RunReference, plan: String? = nil) throws(HistoryError) -> HistoryEntry {
        switch reference {
        case .id(let id):
            guard let entry = try entry(id: id) else {
                throw HistoryError(code: .notFound, message: "\(path): no run with id \(id) (quake history lists them)")
            }
            return entry
        case .last(let back):
            precondition(back >= 0, "last~N counts back from the newest run: N is 0 or more")
            let filter = plan == nil ? "" : "WHERE plan = ?"
            let arguments: StatementArguments = plan.map { [$0] } ?? []
            let found = try access("find the last runs") {
                try pool.read { db in
                    try HistoryRow.fetch(db, where: filter, arguments: arguments, suffix: "ORDER BY \(HistoryRow.newestFirst) LIMIT 1 OFFSET \(back)", records: true).first
                }
            }
            guard let found else {
                let count = try access("count runs") { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run \(filter)", arguments: arguments) ?? 0 } }
                let which = back == 0 ? "last" : "last~\(back)"
                throw HistoryError(code: .notFound, message: "\(path): no run \(which)\(plan.map { " of plan \($0)" } ?? ""): the history holds \(count) run\(count == 1 ? "" : "s")\(plan == nil ? "" : " of it")")
            }
            return found
        }
    }

    /// The newest run of each plan on each target, by plan then target (what an export shows).
    public func latest() throws(HistoryError) -> [HistoryEntry] {
        try access("read the latest runs") {
            try pool.read { db in
                try HistoryRow.fetch(db, where: """
                    WHERE id = (SELECT newest.id FROM run AS newest WHERE newest.plan = run.plan AND newest.target = run.target
                                ORDER BY \(HistoryRow.newestFirst("newest")) LIMIT 1)
                    """, arguments: [], suffix: "ORDER BY plan, target", records: false)
            }
        }
    }

    /// `body`'s result, its failure turned into a `database` error naming the file and `what`.
    private func access<T>(_ what: String, _ body: () throws -> T) throws(HistoryError) -> T {
        do {
            return try body()
        } catch {
            throw HistoryError(code: .database, message: "\(path): cannot \(what): \(Self.reason(error))")
        }
    }

    /// SQLite's own words for a failure.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return error.localizedDescription
    }
}
