import Foundation
@testable import QuakeHistory

/// Entries and temporary history files for the history's tests.
enum HistoryFixtures {
    /// A fresh path for a history file in a folder of its own (not created yet).
    static func path() -> (folder: URL, file: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quake-history-\(UUID().uuidString)")
        return (folder, folder.appendingPathComponent("nested/history.sqlite").path)
    }

    /// An entry of `plan` started `minutes` after a fixed instant, with every field set.
    static func entry(_ plan: String = "zone-outage", target: String = "model", minutes: Double = 0, seed: Int = 1, verdict: String = "pass") -> HistoryEntry {
        let startedAt = Date(timeIntervalSince1970: 1_796_650_000 + minutes * 60)
        let record = #"{"plan": "\#(plan)", "seed": \#(seed), "target": "\#(target)"}"#
        return HistoryEntry(
            plan: plan, planFile: "/plans/\(plan).yaml", target: target, startedAt: startedAt, wallSeconds: 0.75, verdict: verdict,
            score: 88.9, scoreInterval: .init(low: 80.5, high: 92), timeToDetectSeconds: 4, timeToRecoverSeconds: 31.5,
            failedRequests: 12, totalRequests: 18_000, errorBudgetBurn: 0.25, tags: ["talk", "zone"],
            slos: [.init(name: "availability", value: 99.9, verdict: "pass"), .init(name: "p99 latency", value: nil, verdict: "inconclusive")],
            reportFolder: "/reports/\(plan)-\(seed)", record: record
        )
    }

    /// `entry` as listings return it: without its record.
    static func listed(_ entry: HistoryEntry) -> HistoryEntry {
        var entry = entry
        entry.record = nil
        return entry
    }
}
