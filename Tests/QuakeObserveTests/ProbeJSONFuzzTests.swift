import Foundation
import QuakeCore
import QuakeObserve
import QuakeTestSupport
import Testing

/// A probe's JSON field check fuzzed (issue #7): 100,000 seeded bodies (status pages edited,
/// mutated byte by byte or generated) judged against a dotted path. Each check passes or fails
/// with a reason that names the path, none taking a second.
@Suite struct ProbeJSONFuzzTests {
    static let fuzzer = JSONFuzzer(
        seeds: [
            #"{"status":{"indicator":"none","description":"All Systems Operational"},"count":3,"ratio":0.5,"up":true,"note":null,"items":[{"name":"a"},{"name":"b"}]}"#,
            #"{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300069376,"threshold":10485760}}}}"#,
            #"[{"name":"a","ready":true},{"name":"b","ready":false,"since":1.7e9}]"#,
        ],
        keys: ["status", "indicator", "description", "count", "ratio", "up", "note", "items", "name", "components", "db", "details", "total", "free", "ready", "0", "1"])

    /// Paths that the seeds hold, and some that they do not.
    static let checks: [(path: String, equals: String)] = [
        ("status.indicator", "none"), ("count", "3"), ("ratio", "0.5"), ("up", "true"), ("note", "null"), ("items.1.name", "b"),
        ("status", "UP"), ("components.db.details.database", "PostgreSQL"), ("components.diskSpace.details.free", "91300069376"),
        ("0.name", "a"), ("1.since", "1700000000"), ("", "anything"), ("items.-1.name", "a"), ("items.99999999999999999999", "x"), ("a..b", "c"),
    ]

    @Test(.timeLimit(.minutes(5)))
    func everyBodyPassesOrFailsWithAReason() async {
        let judges = Self.checks.map { ProbeJudge(ProbeSpec(name: "p", target: .url("http://x/"), expectJSON: $0)) }
        let outcome = await Self.fuzzer.run(100_000, seed: 0x5EED_9808) { input, number in
            let check = number % Self.checks.count
            let verdict = judges[check].judge(status: 200, body: Data(input))
            if !verdict.passed {
                let path = Self.checks[check].path
                #expect(verdict.reason.contains(path.isEmpty ? "the body" : path), "input \(number): \(verdict)")
            }
            return verdict.passed
        }
        #expect(outcome.read > 500 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
