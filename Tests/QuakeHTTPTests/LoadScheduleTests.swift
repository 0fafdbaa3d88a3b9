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

    /// How many of `instants` (nanoseconds) fall in each second.
    static func perSecond(_ instants: [Int64], seconds: Int) -> [Int] {
        (0..<seconds).map { s in instants.filter { $0 / 1_000_000_000 == s }.count }
    }

    @Test("a ramp: the count climbs (or falls) linearly to the rate, then holds; the workers' instants interleave")
    func ramp() {
        let up = LoadRamp(from: 0, over: .seconds(2))
        let one = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 0, workers: 1, duration: .seconds(3), ramp: up))
        // The count is ∫ rate: 250 by 1 s, 1000 by 2 s, 2000 by 3 s.
        #expect(Self.perSecond(one, seconds: 3) == [250, 750, 1000])
        #expect(one.first == 0 && one == one.sorted())
        let a = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 0, workers: 2, duration: .seconds(3), ramp: up))
        let b = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 1, workers: 2, duration: .seconds(3), ramp: up))
        #expect((a + b).sorted() == one)

        let down = Self.instants(LoadSchedule(rate: 1000, arrival: .constant, worker: 0, workers: 1, duration: .seconds(2), ramp: LoadRamp(from: 2000, over: .seconds(1))))
        #expect(Self.perSecond(down, seconds: 2) == [1500, 1000])

        // Poisson along the same curve: 500, 1500, 2500 and 3500 expected, each within 5 standard deviations.
        let poisson = (0..<2).flatMap { Self.instants(LoadSchedule(rate: 4000, arrival: .poisson(seed: 7), worker: $0, workers: 2, duration: .seconds(4), ramp: LoadRamp(from: 0, over: .seconds(4)))) }
        for (counted, expected) in zip(Self.perSecond(poisson, seconds: 4), [500, 1500, 2500, 3500]) {
            #expect(abs(Double(counted - expected)) < 5 * Double(expected).squareRoot(), "\(counted) in a second where \(expected) were expected")
        }
    }

    @Test("the rate curve's count and instant are inverses, with and without a ramp")
    func rateCurve() {
        for ramp in [nil, LoadRamp(from: 0, over: .seconds(10)), LoadRamp(from: 50, over: .milliseconds(500)), LoadRamp(from: 900, over: .seconds(3)), LoadRamp(from: 100, over: .seconds(2))] {
            let curve = LoadRateCurve(rate: 100, ramp: ramp)
            for t in [0.0, 0.001, 0.25, 1, 2.5, 9.99, 12] {
                #expect(abs(curve.instant(ofCount: curve.count(at: t)) - t) < 1e-9, "t = \(t) with \(String(describing: ramp))")
            }
        }
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
