import GRDB

/// The history database's schema, as named migrations applied in order (docs/history.md).
///
/// A migration, once released, never changes: a new column or table is a new migration appended
/// here, so every database ever written can be brought to the latest schema.
public enum HistorySchema {
    /// The identifiers of every migration this Quake knows, oldest first.
    public static var migrations: [String] { migrator.migrations }

    /// The migrator that brings a database to the latest schema.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs", migrate: createRuns)
        return migrator
    }()

    /// v1: one row per run (`run`), one per SLO of a run (`slo`).
    private static func createRuns(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run (
                id TEXT PRIMARY KEY NOT NULL,
                plan TEXT NOT NULL,
                planFile TEXT,
                target TEXT NOT NULL,
                startedAt TEXT NOT NULL,
                wallSeconds REAL NOT NULL,
                verdict TEXT NOT NULL,
                score REAL,
                scoreLow REAL,
                scoreHigh REAL,
                timeToDetectSeconds REAL,
                timeToRecoverSeconds REAL,
                failedRequests INTEGER NOT NULL,
                totalRequests INTEGER NOT NULL,
                errorBudgetBurn REAL,
                tags TEXT NOT NULL,
                reportFolder TEXT,
                record TEXT,
                recordedAt TEXT NOT NULL
            );
            CREATE INDEX run_plan_startedAt ON run(plan, startedAt);
            CREATE INDEX run_startedAt ON run(startedAt);
            CREATE TABLE slo (
                runId TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                value REAL,
                verdict TEXT NOT NULL,
                PRIMARY KEY (runId, position)
            );
            CREATE INDEX slo_name ON slo(name);
            """)
    }
}
