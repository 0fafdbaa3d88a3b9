import Foundation
import QuakeCore
import QuakeRunner
import QuakeTestSupport
import Synchronization
import Testing

@Suite struct JournalTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func header(folder: String) -> JournalRun {
        var owner = SupervisedProcess(name: "quake", executable: "/usr/bin/quake", arguments: ["run", "plan.yaml"], logFile: "")
        owner.pid = 4242
        owner.startTime = 99
        return JournalRun(id: JournalRun.newID(plan: "runner"), purpose: .run, plan: "runner", planFile: "plan.yaml", target: "lab", system: "127.0.0.1:20000", folder: folder, owner: owner)
    }

    static func process(_ name: String, pid: Int32?) -> SupervisedProcess {
        var record = SupervisedProcess(name: name, executable: "/usr/bin/envoy", arguments: ["-c", "/tmp/\(name).json"], logFile: "/tmp/\(name).log")
        record.pid = pid
        record.processGroup = pid
        record.startTime = pid.map { UInt64($0) * 10 }
        return record
    }

    @Test func aRunIsRegisteredUntilItsJournalEnds() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = RunRegistry(directory: dir + "/state")
        let run = Self.header(folder: dir)
        let journal = try Journal.begin(run, path: dir + "/journal.jsonl", registry: registry)
        #expect(try registry.pointers() == [RunRegistry.Pointer(id: run.id, journal: dir + "/journal.jsonl")])
        try journal.record(.processStarting(Self.process("envoy-a", pid: nil)))
        try journal.record(.processStarted(Self.process("envoy-a", pid: 300)))
        try journal.record(.faultInjecting(index: 0, description: "node-crash c1-a-1"))
        try journal.record(.faultInjected(index: 0))

        let state = try JournalReader.state(at: journal.path)
        #expect(state.run == run)
        #expect(state.started.map(\.pid) == [300])
        #expect(state.unconfirmed.isEmpty, "the start was confirmed")
        #expect(state.activeFaults.map(\.description) == ["node-crash c1-a-1"])
        #expect(!state.isFinished)

        try journal.record(.faultReverting(index: 0))
        try journal.record(.faultReverted(index: 0))
        try journal.end("completed")
        #expect(try registry.pointers().isEmpty)
        let ended = try JournalReader.state(at: journal.path)
        #expect(ended.activeFaults.isEmpty)
        #expect(ended.ended == "completed")
        #expect(throws: RunnerError.self, "a journal is never overwritten") {
            try Journal.begin(run, path: dir + "/journal.jsonl", registry: registry)
        }
    }

    @Test func everyLineIsOneJSONObjectWithAKind() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal.begin(Self.header(folder: dir), path: dir + "/journal.jsonl", registry: nil)
        try journal.record(.faultInjecting(index: 2, description: "http-abort svc2 503 50%"))
        let lines = try String(contentsOfFile: journal.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(last["kind"] as? String == "fault-injecting")
        #expect(last["fault"] as? Int == 2)
        #expect(last["description"] as? String == "http-abort svc2 503 50%")
        #expect(last["at"] is String)
    }

    @Test func aLineCutShortByACrashIsLeftOutAndCutOffOnResume() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = RunRegistry(directory: dir + "/state")
        let journal = try Journal.begin(Self.header(folder: dir), path: dir + "/journal.jsonl", registry: registry)
        try journal.record(.faultInjecting(index: 0, description: "node-hang c1-a-1"))
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"at":"2026-11-25T10:00:00Z","kind":"fault-inj"#.utf8))
        try handle.close()

        let state = try JournalReader.state(at: journal.path)
        #expect(state.activeFaults.map(\.index) == [0], "the torn line is not an entry")

        let resumed = try Journal.resume(at: journal.path, registry: registry)
        try resumed.record(.faultReverted(index: 0))
        try resumed.end("rolled-back")
        let after = try JournalReader.state(at: journal.path)
        #expect(after.activeFaults.isEmpty)
        #expect(after.ended == "rolled-back")
        #expect(try registry.pointers().isEmpty)
    }

    @Test func aGarbledLineIsNamedByFileAndLine() throws {
        let text = """
            {"at":"2026-11-25T10:00:00Z","kind":"fault-injected","fault":0}
            {"at":"2026-11-25T10:00:01Z","kind":"fault-exploded","fault":0}

            """
        #expect {
            try JournalReader.entries(in: Data(text.utf8), path: "run/journal.jsonl")
        } throws: { error in
            "\(error)".hasPrefix("run/journal.jsonl:2: not a journal entry")
        }
    }

    /// Why a line is not an entry is said on one line, with where in the entry: a kind read from
    /// the line was put in the message as it was (newlines and all), and a line that is not an
    /// object gave ": Expected to decode …".
    @Test(arguments: [
        (#"{"at":"2026-11-25T10:00:00Z","kind":"fault-\nexploded","fault":0}"#, "kind: Cannot initialize Kind from invalid String value fault-\\nexploded"),
        (#"{"at":"2026-11-25T10:00:00Z","kind":"run-began","run":{"id":"x"}}"#, "no run.purpose"),
        (#"{"at":"2026-11-25T10:00:00Z","kind":"process-started","process":{"name":"a","executable":"/e","arguments":[1],"environment":{},"logFile":"l"}}"#,
         "process.arguments[0]: Expected to decode String but found number instead."),
        ("[]", "Expected to decode Dictionary<String, Any> but found an array instead."),
    ])
    func whyALineIsNotAnEntryIsOneLine(line: String, reason: String) {
        #expect {
            try JournalReader.entries(in: Data((line + "\n").utf8), path: "j.jsonl")
        } throws: { error in
            "\(error)" == "j.jsonl:1: not a journal entry (\(reason))"
        }
    }

    /// A pointer file that is not a pointer is named with what is wrong with it (it said only "not a run pointer").
    @Test func aBrokenPointerIsNamedWithWhy() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/runs", withIntermediateDirectories: true)
        try Data(#"{"id": 7, "journal": "/j"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/runs/x.json"))
        #expect {
            try RunRegistry(directory: dir).pointers()
        } throws: { error in
            "\(error)" == "\(dir)/runs/x.json: not a run pointer (id: Expected to decode String but found number instead.; remove it if the run is gone)"
        }
    }

    @Test func aStartWithoutConfirmationIsUnconfirmed() {
        let entries = [
            JournalEntry(.processStarting(Self.process("pod-a", pid: nil))),
            JournalEntry(.processStarted(Self.process("pod-a", pid: 10))),
            JournalEntry(.processStarting(Self.process("pod-b", pid: nil))),
        ]
        let state = JournalState(entries)
        #expect(state.started.map(\.name) == ["pod-a"])
        #expect(state.unconfirmed.map(\.name) == ["pod-b"], "the run died between starting pod-b and recording its PID")
    }

    /// A target that changes a real system writes what undoes each change before it makes it;
    /// the changes of a fault not confirmed reverted are what rollback reads back.
    @Test func eachChangeIsKeptWithItsFaultUntilTheFaultIsReverted() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal.begin(Self.header(folder: dir), path: dir + "/journal.jsonl", registry: nil)
        try journal.record(.faultInjecting(index: 0, description: "zone-outage eu/member1/eu-1a"))
        try journal.record(.changeMaking(index: 0, change: #"{"path":"/api/v1/nodes/a"}"#))
        try journal.record(.changeMaking(index: 0, change: #"{"path":"/api/v1/nodes/b"}"#))
        try journal.record(.faultInjected(index: 0))
        try journal.record(.faultInjecting(index: 1, description: "http-abort reviews 503 50%"))
        try journal.record(.changeMaking(index: 1, change: #"{"path":"/vs"}"#))
        let lines = try String(contentsOfFile: journal.path, encoding: .utf8).split(separator: "\n")
        let change = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(change["kind"] as? String == "change-making" && change["fault"] as? Int == 0 && change["change"] as? String == #"{"path":"/api/v1/nodes/a"}"#)
        let state = try JournalReader.state(at: journal.path)
        #expect(state.activeFaults.map(\.changes) == [[#"{"path":"/api/v1/nodes/a"}"#, #"{"path":"/api/v1/nodes/b"}"#], [#"{"path":"/vs"}"#]])
        try journal.record(.faultReverted(index: 0))
        #expect(try JournalReader.state(at: journal.path).activeFaults.map(\.index) == [1])
    }

    @Test func theStateDirectoryFollowsTheEnvironment() {
        #expect(RunRegistry.standard(environment: ["QUAKE_STATE_DIR": "/s", "HOME": "/h"]).directory == "/s")
        #expect(RunRegistry.standard(environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]).directory == "/x/quake")
        #expect(RunRegistry.standard(environment: ["HOME": "/h"]).directory == "/h/.local/state/quake")
    }

    @Test func theRunnerJournalsEachInjectionBeforeMakingItAndEachRevertAfter() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try RunnerTests.plan(schedule: """
              duration: 60s
              faults:
                - {at: 10s, fault: node-crash, node: c1-a-1, for: 20s}
                - {at: 40s, fault: http-abort, service: svc, status: 503, percentage: 50%}
            """)
        let journal = try Journal.begin(Self.header(folder: dir), path: dir + "/journal.jsonl", registry: nil)
        let seen = Mutex<[String]>([])
        let path = journal.path
        let clock = InstantClock()
        let target = RecordingTarget(clock: RunnerTests.seconds(clock), windows: 60) { call in
            // What the journal holds at the moment the target is asked to act.
            let last = (try? JournalReader.entries(at: path).last).map { "\($0.event)" } ?? "none"
            seen.withLock { $0.append("\(call) after \(last)") }
        }
        _ = try await Runner(plan: plan, clock: clock, journal: journal).run(on: target)
        let calls = seen.withLock { $0 }.filter { $0.hasPrefix("inject") || $0.hasPrefix("revert") }
        #expect(calls == [
            "inject 0 after faultInjecting(index: 0, description: \"node-crash c1-a-1\")",
            "revert 0 after faultReverting(index: 0)",
            "inject 1 after faultInjecting(index: 1, description: \"http-abort svc: 503 on 50%\")",
            "revert 1 after faultReverting(index: 1)",
        ])
        let state = try JournalReader.state(at: path)
        #expect(state.activeFaults.isEmpty, "every revert was confirmed")
    }

    @Test func aJournalThatCannotBeWrittenStopsTheInjection() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try RunnerTests.plan(schedule: """
              duration: 30s
              faults:
                - {at: 10s, fault: node-crash, node: c1-a-1, for: 10s}
            """)
        let journal = try Journal.begin(Self.header(folder: dir), path: dir + "/journal.jsonl", registry: nil)
        try journal.end("completed")
        let clock = InstantClock()
        let target = RecordingTarget(clock: RunnerTests.seconds(clock), windows: 30)
        await #expect(throws: RunnerError.self) { try await Runner(plan: plan, clock: clock, journal: journal).run(on: target) }
        #expect(!target.log.contains { $0.hasSuffix("inject 0") }, "nothing is injected without its journal line: \(target.log)")
        #expect(target.log.last?.hasSuffix("teardown") == true)
    }
}
