@testable import QuakeLab
import QuakeCore
import Testing

@Suite struct PodRandomTests {
    @Test func logNormalServiceTimesGoThroughTheirP50AndP99() {
        var random = PodRandom(seed: 3)
        let draws = (0..<40_000).map { _ in random.sample(.logNormal(p50: .milliseconds(4), p99: .milliseconds(30))) }.sorted()
        let p50 = Double(draws[draws.count / 2]), p99 = Double(draws[draws.count * 99 / 100])
        #expect(abs(p50 - 4000) / 4000 < 0.05, "p50 \(p50) µs")
        #expect(abs(p99 - 30000) / 30000 < 0.1, "p99 \(p99) µs")
        #expect(draws.allSatisfy { $0 > 0 })
    }

    @Test func theSameSeedDrawsTheSameSequence() {
        var a = PodRandom(seed: 42), b = PodRandom(seed: 42), c = PodRandom(seed: 43)
        let first = (0..<100).map { _ in a.chance(0.3) }
        let same = (0..<100).map { _ in b.chance(0.3) }
        let other = (0..<100).map { _ in c.chance(0.3) }
        #expect(first == same)
        #expect(first != other)
        let fixed = a.sample(.fixed(.milliseconds(50)))
        #expect(fixed == 50_000)
        let never = a.chance(0)
        #expect(!never)
    }
}
