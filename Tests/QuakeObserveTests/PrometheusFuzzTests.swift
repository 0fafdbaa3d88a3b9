import Foundation
import QuakeObserve
import QuakeTestSupport
import Testing

/// Seeded mutations of valid pages: the parser must never crash or take a second over one, and
/// every rejection must be a `malformed` error located at a line of the page.
@Suite struct PrometheusFuzzTests {

    /// Edits drawn from bytes that matter to the grammar, and a few that never should appear.
    private static let mutator = ByteMutator(alphabet: Array("{}=\",\\ \t\n#.-+eE0123456789_:aZnNiIf".utf8) + [0x00, 0x0D, 0x7F, 0xC3, 0xFF])

    @Test(.timeLimit(.minutes(5)), arguments: [PrometheusFixtures.specExample, PrometheusFixtures.envoyPage])
    func mutatedPagesParseOrFailWithALineNumber(fixture: String) async throws {
        let original = [UInt8](try PrometheusFixtures.data(fixture))
        // Mutations of a window of the page keep each case small; the windows cover the page.
        let window = 2_048
        let iterations = fixture == PrometheusFixtures.envoyPage ? 80_000 : 40_000
        var rng = SeededGenerator(seed: fixture == PrometheusFixtures.envoyPage ? 0x5EED_E4F0 : 0x5EED_5BEC)
        var rejected = 0
        var slowest = SlowestInput()
        for iteration in 0..<iterations {
            // Let the suites running alongside have the test pool's two threads now and then.
            if iteration % 500 == 0 { await Task.yield() }
            let start = original.count <= window ? 0 : Int.random(in: 0..<(original.count - window), using: &rng)
            let page = Self.mutator.mutate(Array(original[start..<min(original.count, start + window)]), using: &rng)
            let lines = page.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let mode: PrometheusTextParser.Mode = iteration % 2 == 0 ? .strict : .lenient
            do {
                var count = 0
                let parser = try slowest.time(iteration) { try PrometheusTextParser.parse(Data(page), mode: mode) { _ in count += 1 } }
                #expect(parser.sampleCount == count)
                #expect(parser.lineCount <= lines)
                for skipped in parser.skippedLines {
                    #expect(Self.lineNumber(skipped).map { $0 >= 1 && $0 <= lines } == true, "\(skipped)")
                }
            } catch let error as ObserveError {
                rejected += 1
                #expect(mode == .strict)
                #expect(error.code == .malformed)
                let line = try #require(Self.lineNumber(error), "iteration \(iteration): \(error)")
                #expect(line >= 1 && line <= lines, "iteration \(iteration): \(error)")
                #expect(error.message.contains("(column "), "iteration \(iteration): \(error)")
            }
        }
        #expect(rejected > iterations / 10)
        #expect(slowest.duration < .seconds(1), "\(slowest)")
    }

    private static func lineNumber(_ error: ObserveError) -> Int? {
        guard error.location.hasPrefix("line ") else { return nil }
        return Int(error.location.dropFirst(5))
    }
}
