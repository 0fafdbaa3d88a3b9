import Foundation
@testable import QuakeRunner
import QuakeTestSupport
import Testing

/// The run registry's pointer files fuzzed (issue #7): 100,000 seeded files, as `quake status`
/// reads them, each read or refused with a `journal` error that names the file and what is wrong.
@Suite struct RunRegistryFuzzTests {
    static let fuzzer = JSONFuzzer(
        seeds: [#"{"id":"zone-outage-20261207-120000-1a2b","journal":"/tmp/reports/zone-outage/journal.jsonl"}"#, #"{"journal":"/r/j.jsonl","id":"x"}"#],
        keys: ["id", "journal"])

    @Test(.timeLimit(.minutes(5)))
    func everyPointerIsReadOrRefusedNamingTheFile() async {
        let path = "/state/runs/run.json"
        let outcome = await Self.fuzzer.run(100_000, seed: 0x5EED_9E61) { input, number in
            do throws(RunnerError) {
                _ = try RunRegistry.pointer(in: Data(input), path: path)
                return true
            } catch {
                #expect(error.code == .journal && error.message.hasPrefix(path + ": not a run pointer ("), "input \(number): \(error)")
                return false
            }
        }
        #expect(outcome.read > 2_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
