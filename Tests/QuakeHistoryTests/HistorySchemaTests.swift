import Foundation
import GRDB
import Testing
@testable import QuakeHistory

/// Migrations: a new file, a file of the first schema, an up-to-date file, a newer Quake's file.
@Suite struct HistorySchemaTests {
    /// The schema as SQLite keeps it: every table and index with its SQL.
    static func schema(_ file: String) throws -> [String] {
        try DatabaseQueue(path: file).read { db in
            try String.fetchAll(db, sql: "SELECT type || ' ' || name || ': ' || IFNULL(sql, '') FROM sqlite_master ORDER BY type, name")
        }
    }

    @Test func anEmptyFileIsBroughtToTheLatestSchema() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: file)
        #expect(try store.appliedMigrations() == HistorySchema.migrations)
        #expect(HistorySchema.migrations.first == "v1-runs")
        #expect(try Self.schema(file).contains { $0.hasPrefix("table run: CREATE TABLE run") })
        #expect(try Self.schema(file).contains { $0.hasPrefix("table slo: CREATE TABLE slo") })
    }

    /// A file written with the first migration only, as the first Quake with a history wrote it,
    /// keeps its runs and reaches the latest schema.
    @Test func aFirstVersionFileIsMigratedWithItsRuns() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let old = try DatabasePool(path: file)
        try HistorySchema.migrator.migrate(old, upTo: "v1-runs")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO run (id, plan, planFile, target, startedAt, wallSeconds, verdict, score, failedRequests, totalRequests, tags, record, recordedAt)
                VALUES ('old-run', 'zone-outage', NULL, 'model', '2026-11-25T12:31:27.000Z', 0.788, 'pass', 88.9, 0, 1799292, '["talk"]', '{}', '2026-11-25T12:31:28.000Z');
                INSERT INTO slo (runId, position, name, value, verdict) VALUES ('old-run', 0, 'availability', 100, 'pass');
                """)
        }
        try old.close()

        let store = try HistoryStore(path: file)
        #expect(try store.appliedMigrations() == HistorySchema.migrations)
        let entry = try #require(try store.entry(id: "old-run"))
        #expect(entry.plan == "zone-outage" && entry.score == 88.9 && entry.tags == ["talk"] && entry.totalRequests == 1_799_292)
        #expect(entry.startedAt == ISO8601DateFormatter().date(from: "2026-11-25T12:31:27Z"))
        #expect(entry.slos == [.init(name: "availability", value: 100, verdict: "pass")])
        #expect(try store.append(HistoryFixtures.entry()), "and takes new runs")
    }

    @Test func reopeningAnUpToDateFileChangesNothing() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try HistoryStore(path: file).append(HistoryFixtures.entry())
        let before = try Self.schema(file)
        let store = try HistoryStore(path: file)
        #expect(try Self.schema(file) == before)
        #expect(try store.appliedMigrations() == HistorySchema.migrations)
        #expect(try store.runs().count == 1)
    }

    @Test func aFileFromANewerQuakeIsRefused() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try HistoryStore(path: file).append(HistoryFixtures.entry())
        try DatabaseQueue(path: file).write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-future')") }
        let error = #expect(throws: HistoryError.self) { try HistoryStore(path: file) }
        #expect(error?.code == .newerSchema)
        #expect(error?.message.hasPrefix("\(file): written by a newer Quake (schema migrations v9-future are unknown to this one") == true, "\(error?.message ?? "")")
    }

    @Test func aFileThatIsNotADatabaseIsRefusedByName() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(String(repeating: "not a database\n", count: 20).utf8).write(to: URL(fileURLWithPath: file))
        let error = #expect(throws: HistoryError.self) { try HistoryStore(path: file) }
        #expect(error?.code == .open)
        #expect(error?.message.hasPrefix("\(file): cannot open the run history: ") == true, "\(error?.message ?? "")")
    }
}
