import Foundation
import QuakeCore
import QuakeRunner
import QuakeTestSupport
import Testing

/// The journal reader fuzzed (issue #7), as `quake status` and `quake rollback` read a journal a
/// crashed run left: 100,000 seeded journals, real ones edited, mutated byte by byte or generated.
/// Each is read (and the state it leaves worked out) or refused with a `journal` error naming
/// the line, none taking a second.
@Suite struct JournalReaderFuzzTests {
    /// A journal written by `Journal` the way a lab run writes one, cut short after `events`.
    static func journal(_ events: [JournalEntry.Event]) throws -> String {
        let dir = try JournalTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal.begin(JournalTests.header(folder: dir), path: dir + "/journal.jsonl", registry: nil)
        for event in events { try journal.record(event) }
        return try String(contentsOfFile: dir + "/journal.jsonl", encoding: .utf8)
    }

    @Test(.timeLimit(.minutes(5)))
    func everyJournalIsReadOrRefusedAtALine() async throws {
        let seeds = [
            try Self.journal([.processStarting(JournalTests.process("envoy-a", pid: nil)), .processStarted(JournalTests.process("envoy-a", pid: 300))]),
            try Self.journal([.faultInjecting(index: 1, description: "zone-outage r1/c1/a"), .faultInjected(index: 1), .faultReverted(index: 1), .ended(status: "passed")]),
        ]
        let fuzzer = JSONFuzzer(seeds: seeds, keys: ["at", "kind", "run", "process", "fault", "description", "status", "id", "purpose", "plan", "planFile",
                                                     "target", "system", "folder", "owner", "name", "executable", "arguments", "environment", "logFile",
                                                     "pid", "processGroup", "startTime", "startedAt"])
        let outcome = await fuzzer.run(100_000, seed: 0x5EED_70A1) { input, number in
            do throws(RunnerError) {
                _ = JournalState(try JournalReader.entries(in: Data(input), path: "journal.jsonl"))
                return true
            } catch {
                // `journal.jsonl:N: not a journal entry (why)`, on one line, N a line of the input.
                let lines = input.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                let place = error.message.prefix { $0 != " " }
                let line = Int(place.dropFirst("journal.jsonl:".count).dropLast())
                let why = error.message.dropFirst(place.count)
                #expect(error.code == .journal && line.map { (1...lines).contains($0) } == true, "input \(number): \(error)")
                #expect(why.hasPrefix(" not a journal entry (") && why.count > 24 && why.hasSuffix(")") && !why.contains("\n"), "input \(number): \(error)")
                return false
            }
        }
        #expect(outcome.read > 2_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
