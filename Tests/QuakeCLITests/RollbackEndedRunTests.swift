import Foundation
import Testing

/// A run killed in the last moment of its life: its journal has its end, but the run had not yet
/// left the state directory. `quake status` says so, and `quake rollback` only removes the entry,
/// leaving the journal's end as the run wrote it.
@Suite struct RollbackEndedRunTests {
    /// A process record whose PID is this test's own but whose start time is not, so that it
    /// names no live process and rollback can never signal it.
    static func record(name: String) -> String {
        #"{"arguments":["pod","--port","29903"],"environment":{},"executable":"/bin/quake","logFile":"","name":"\#(name)","pid":\#(getpid()),"processGroup":\#(getpid()),"startTime":1}"#
    }

    static func journal(id: String, folder: String) -> String {
        [
            #"{"at":"2026-12-07T10:00:00Z","kind":"run-began","run":{"folder":"\#(folder)","id":"\#(id)","owner":\#(record(name: "quake")),"plan":"ended","planFile":"plan.yaml","purpose":"run","system":"127.0.0.1:29900","target":"lab"}}"#,
            #"{"at":"2026-12-07T10:00:01Z","kind":"process-started","process":\#(record(name: "pod-backend-c1-0"))}"#,
            #"{"at":"2026-12-07T10:00:02Z","description":"node-hang c1-a-1","fault":0,"kind":"fault-injecting"}"#,
            #"{"at":"2026-12-07T10:00:03Z","fault":0,"kind":"fault-reverted"}"#,
            #"{"at":"2026-12-07T10:00:04Z","kind":"run-ended","status":"completed"}"#,
        ].joined(separator: "\n") + "\n"
    }

    @Test(.timeLimit(.minutes(1)))
    func rollbackOfARunKilledAfterItsEndOnlyUnregistersIt() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let id = "ended-20261207-100000-beef"
        let journal = dir.appendingPathComponent("run/journal.jsonl")
        try FileManager.default.createDirectory(at: journal.deletingLastPathComponent(), withIntermediateDirectories: true)
        let written = Self.journal(id: id, folder: journal.deletingLastPathComponent().path)
        try written.write(to: journal, atomically: true, encoding: .utf8)
        let runs = dir.appendingPathComponent("state/runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        try #"{"id":"\#(id)","journal":"\#(journal.path)"}"#.write(to: runs.appendingPathComponent(id + ".json"), atomically: true, encoding: .utf8)
        let environment = ["QUAKE_STATE_DIR": dir.appendingPathComponent("state").path]

        let status = try QuakeBinary.run(["status"], environment: environment)
        #expect(status.stdout == "\(id): run of ended on lab (127.0.0.1:29900), ended (completed), but its quake died before it left the state directory; 0 of 1 processes alive\n",
                "\(status.stdout)\(status.stderr)")

        let rollback = try QuakeBinary.run(["rollback"], environment: environment)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stdout == "\(id): killed 0 processes; 1 already gone; its journal had already ended (completed), so only its entry in the state directory was left\n")
        #expect(try String(contentsOf: journal, encoding: .utf8) == written, "the journal keeps the end the run wrote")
        #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
    }
}
