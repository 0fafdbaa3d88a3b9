import Foundation
import GRDB
import Testing
@testable import QuakeHistory

/// Appending and querying runs, on real database files.
@Suite struct HistoryStoreTests {
    @Test func anEntryComesBackAsItWasAppended() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: file)
        let entry = HistoryFixtures.entry()
        #expect(try store.append(entry))
        #expect(try store.entry(id: entry.id) == entry, "by id, with its record")
        #expect(try store.runs() == [HistoryFixtures.listed(entry)], "listed without the record")
        #expect(try store.runs(includingRecords: true) == [entry])
        #expect(try HistoryStore(path: file).runs().count == 1, "kept in the file")
    }

    @Test func appendingTheSameRunTwiceStoresItOnce() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: file)
        let entry = HistoryFixtures.entry()
        #expect(try store.append(entry))
        #expect(try store.append(entry) == false)
        #expect(try store.runs().count == 1)
        #expect(try store.entry(id: entry.id)?.slos.count == 2, "its SLOs once")
    }

    @Test func runsAreListedNewestFirstByPlanTargetAndDate() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: file)
        let entries = [
            HistoryFixtures.entry("zone-outage", minutes: 0), HistoryFixtures.entry("node-failure", minutes: 10),
            HistoryFixtures.entry("zone-outage", minutes: 20), HistoryFixtures.entry("zone-outage", target: "lab", minutes: 30),
        ]
        for entry in entries.shuffled() { try store.append(entry) }
        #expect(try store.runs().map(\.id) == entries.reversed().map(\.id))
        #expect(try store.runs(plan: "zone-outage").map(\.id) == [entries[3].id, entries[2].id, entries[0].id])
        #expect(try store.runs(plan: "zone-outage", target: "model").map(\.id) == [entries[2].id, entries[0].id])
        #expect(try store.runs(plan: "zone-outage", limit: 1).map(\.id) == [entries[3].id])
        #expect(try store.runs(since: entries[1].startedAt).map(\.id) == [entries[3].id, entries[2].id, entries[1].id], "since is inclusive")
        #expect(try store.runs(plan: "nothing").isEmpty)
        #expect(try store.latest().map(\.id) == [entries[1].id, entries[3].id, entries[2].id], "newest per plan and target, by plan then target")
    }

    @Test func lastAndLastNResolveAmongAllRunsOrOnePlans() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: file)
        let a = HistoryFixtures.entry("zone-outage", minutes: 0), b = HistoryFixtures.entry("node-failure", minutes: 1), c = HistoryFixtures.entry("zone-outage", minutes: 2)
        for entry in [a, b, c] { try store.append(entry) }
        #expect(try store.resolve(.last(back: 0)) == c)
        #expect(try store.resolve(.last(back: 1)) == b)
        #expect(try store.resolve(.last(back: 1), plan: "zone-outage") == a)
        #expect(try store.resolve(.id(b.id)) == b)
        let missing = #expect(throws: HistoryError.self) { try store.resolve(.last(back: 2), plan: "zone-outage") }
        #expect(missing?.code == .notFound)
        #expect(missing?.message == "\(file): no run last~2 of plan zone-outage: the history holds 2 runs of it")
        let unknown = #expect(throws: HistoryError.self) { try store.resolve(.id("nope")) }
        #expect(unknown?.message == "\(file): no run with id nope (quake history lists them)")
    }

    @Test func runsOfTheSamePlanInTheSameSecondHaveTheirOwnIds() {
        let a = HistoryFixtures.entry(seed: 1), b = HistoryFixtures.entry(seed: 2)
        #expect(a.startedAt == b.startedAt)
        #expect(a.id != b.id)
        #expect(a.id.hasPrefix("zone-outage-20261207T132640Z-"), "\(a.id)")
        #expect(a.id == HistoryEntry.runID(plan: a.plan, startedAt: a.startedAt, record: a.record ?? ""), "derived again the same")
    }

    /// Threads each with a store of their own on one file, appending at once, lose nothing.
    @Test(.timeLimit(.minutes(2))) func concurrentStoresLoseNothing() async throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let store = try HistoryStore(path: file)
                    for k in 0..<25 { try store.append(HistoryFixtures.entry("plan-\(writer)", minutes: Double(k))) }
                }
            }
            try await group.waitForAll()
        }
        let store = try HistoryStore(path: file)
        #expect(try store.runs(limit: 1000).count == 100)
        #expect(try store.latest().count == 4)
    }

    @Test func theFileIsInWALMode() throws {
        let (folder, file) = HistoryFixtures.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try HistoryStore(path: file)
        let mode = try DatabaseQueue(path: file).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
