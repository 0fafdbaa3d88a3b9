import Foundation
import QuakeObserve
import Testing

/// The parser's throughput, for `scripts/bench-prometheus`: skipped unless `QUAKE_BENCH=1`, it
/// parses the file `QUAKE_BENCH_FILE` (a real Envoy page repeated) three times and prints the best
/// MB/s. It asserts nothing about speed; the script prints the figure next to reference parsers.
@Suite struct PrometheusBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["QUAKE_BENCH"] == "1"))
    func parseThroughput() throws {
        let path = try #require(ProcessInfo.processInfo.environment["QUAKE_BENCH_FILE"], "QUAKE_BENCH_FILE names the page to parse")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var best = Duration.seconds(1_000_000)
        var samples = 0
        for _ in 0..<3 {
            var count = 0
            var sum = 0.0
            let elapsed = try ContinuousClock().measure {
                let parser = try PrometheusTextParser.parse(data, source: path) { sample in
                    count += 1
                    sum += sample.value.isFinite ? sample.value : 0
                }
                samples = parser.sampleCount
            }
            #expect(count == samples && sum > 0)
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        let megabytes = Double(data.count) / 1e6
        print(String(format: "quake-parser: %.1f MB, %d samples, best of 3: %.3f s, %.0f MB/s, %.1f M samples/s",
                     megabytes, samples, seconds, megabytes / seconds, Double(samples) / seconds / 1e6))
    }
}
