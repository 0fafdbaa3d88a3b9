import Foundation
@testable import QuakeLab
import QuakeTestSupport
import Testing

/// The lab's read-back of an Envoy's runtime (`GET /runtime`) fuzzed (issue #7): 100,000 seeded
/// answers, Envoy 1.40's edited, mutated byte by byte or generated. Each is read or refused with
/// an `api` error naming the Envoy and what the body is, none taking a second.
@Suite struct EnvoyRuntimeFuzzTests {
    static let fuzzer = JSONFuzzer(
        seeds: [
            #"{"entries": {"quake.fault.backend.abort_percent": {"layer_values": ["", "50"], "final_value": "50"}, "quake.fault.backend.abort_status": {"layer_values": ["", "503"], "final_value": "503"}}, "layers": ["static", "admin"]}"#,
            #"{"entries": {}, "layers": ["static", "admin"]}"#,
        ],
        keys: ["entries", "layers", "layer_values", "final_value", "quake.fault.backend.abort_percent", "quake.fault.backend.delay_percent"])

    @Test(.timeLimit(.minutes(5)))
    func everyAnswerIsReadOrRefusedNamingTheEnvoy() async {
        let outcome = await Self.fuzzer.run(100_000, seed: 0x5EED_E1A7) { input, number in
            do throws(LabError) {
                _ = try EnvoyAdmin.runtimeValues(Data(input), of: "envoy-c1-a")
                return true
            } catch {
                #expect(error.code == .api && error.location == "envoy-c1-a" && error.message.hasPrefix("GET /runtime answered "), "input \(number): \(error)")
                return false
            }
        }
        #expect(outcome.read > 2_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
