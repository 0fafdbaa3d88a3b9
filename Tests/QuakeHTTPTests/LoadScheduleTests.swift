@testable import QuakeHTTP
import Testing

@Suite("Load schedule and backlog")
struct LoadScheduleTests {
    static func instants(_ schedule: LoadSchedule) -> [Int64] {
        var schedule = schedule
        var out: [Int64] = []
        while let next = schedule.next() { out.append(next) }
        return out
    }

    @Test("constant arrivals: rate × duration instants, evenly spaced, the workers' interleaved")
    func constant() {
        let one = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 0, workers: 1, duration: .seconds(2)))
        #expect(one.count == 2000)
        #expect(one.first == 0)
        #expect(one[1] - one[0] == 1_000_000)
        #expect(one.last == 1_999_000_000)

        let a = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 0, workers: 2, duration: .seconds(2)))
        let b = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 1, workers: 2, duration: .seconds(2)))
        #expect(a.count + b.count == 2000)
        #expect((a + b).sorted() == one)
    }

    @Test("a rate that does not divide a second still gives rate × duration instants")
    func fractionalRate() {
        let all = (0..<3).flatMap { Self.instants(LoadSchedule(rate: 333.3, arrival: .constant, worker: $0, workers: 3, duration: .seconds(3))) }
        #expect(all.count == 1000)
        #expect(Set(all).count == 1000)
    }

    @Test("Poisson arrivals: the same seed gives the same instants, and the mean rate is the rate")
    func poisson() {
        let first = Self.instants(LoadSchedule(rate: 5000, arrival: .poisson(seed: 42), worker: 0, workers: 2, duration: .seconds(4)))
        let again = Self.instants(LoadSchedule(rate: 5000, arrival: .poisson(seed: 42), worker: 0, workers: 2, duration: .seconds(4)))
        let other = Self.instants(LoadSchedule(rate: 5000, arrival: .poisson(seed: 42), worker: 1, workers: 2, duration: .seconds(4)))
        #expect(first == again)
        #expect(first != other)
        // 20,000 expected in all; a Poisson count's standard deviation is √20000 ≈ 141.
        let total = first.count + other.count
        #expect(abs(total - 20_000) < 800)
        #expect(first == first.sorted())
        // Exponential gaps: their standard deviation equals their mean.
        let gaps = zip(first.dropFirst(), first).map { Double($0 - $1) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(mean - 400_000) < 20_000)
        #expect(abs(sd / mean - 1) < 0.1)
    }

    @Test("the backlog keeps instants oldest first, grows, and refuses past its limit")
    func backlog() {
        var backlog = LoadBacklog(limit: 3000)
        let kept = (0..<3000).map { backlog.append(Int64($0)) }
        #expect(kept.allSatisfy { $0 })
        let overflow = backlog.append(3000)
        #expect(!overflow)
        #expect(backlog.count == 3000)
        let oldest = (0..<1500).map { _ in backlog.removeOldest() }
        #expect(oldest == (0..<1500).map { Int64($0) })
        let more = (3000..<4000).map { backlog.append(Int64($0)) }
        #expect(more.allSatisfy { $0 })
        #expect(backlog.oldest == 1500)
        let removed = backlog.removeAll()
        #expect(removed == 2500)
        let none = backlog.removeOldest()
        #expect(backlog.isEmpty && none == nil)
    }
}
