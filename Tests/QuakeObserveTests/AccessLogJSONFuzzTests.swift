import QuakeObserve
import QuakeTestSupport
import Testing

/// The JSON access-log reader fuzzed (issue #7): 100,000 seeded lines, JSON lines as Envoy's
/// `json_format`, the lab and the model write them, edited, mutated byte by byte or generated.
/// Each is read or refused with a `malformed` error that says what and where, none taking a second.
@Suite struct AccessLogJSONFuzzTests {
    static let fuzzer = JSONFuzzer(
        seeds: [
            #"{"authority":"svc2","code":503,"duration_ms":0,"flags":"FI","method":"GET","path":"/","request_id":"quake-0000377194","start_time":"1970-01-01T00:03:00.019Z","upstream_cluster":"outbound|8080||svc2.default.svc.cluster.local","upstream_host":null}"#,
            #"{"attempts":1,"code":"503","details":"upstream_reset_before_response_started{remote_connection_failure}","duration_ms":"12","flags":"URX,UF","nested":{"a":[1,2,{"b":null}]},"start_time":"2024-05-01T12:00:00.123+02:00","upstream_host":"127.0.0.1:18002","authority":"caf\u00e9 \"q\" \ud83d\ude00"}"#,
            #"{"response_code":0,"response_flags":"DC","duration":null,"start_time":"1714564800.5","upstream_host":"-","upstream_cluster":null}"#,
            #"{"@timestamp":"2024-05-01T12:00:01.002Z","status":200,"duration":3,":authority":"checkout:8080","upstream_cluster_raw":"outbound|8080||checkout","response_flags":"-","bytes":[1,2,3]}"#,
        ],
        keys: ["start_time", "start", "timestamp", "@timestamp", "code", "response_code", "status", "flags", "response_flags", "duration_ms",
               "duration", "upstream_host", "upstream_cluster", "upstream_cluster_raw", "authority", ":authority", "method", "path", "nested"])

    @Test(.timeLimit(.minutes(5)))
    func everyLineIsReadOrRefusedAsMalformed() async {
        var parser = AccessLogParser(syntax: .json)
        let outcome = await Self.fuzzer.run(100_000, seed: 0x5EED_150C) { input, number in
            do throws(ObserveError) {
                _ = try input.withUnsafeBufferPointer { (line) throws(ObserveError) in try parser.parse(line) }
                return true
            } catch {
                #expect(error.code == .malformed && !error.message.isEmpty, "input \(number): \(error)")
                return false
            }
        }
        #expect(outcome.read > 5_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
