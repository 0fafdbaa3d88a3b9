import QuakeCore
import Testing

/// Regressions and flakiness on hand-made histories: a real drop is flagged, noise is not, a
/// flip-flopping plan is flaky, and a change that stays is a regression once.
@Suite struct RegressionCheckTests {
    static func run(_ n: Int, _ verdict: Verdict = .pass, score: Double? = 88, ttr: Double? = 40, hurt: Bool = true) -> RegressionCheck.Run {
        RegressionCheck.Run(id: "night-\(n)", verdict: verdict, score: score, timeToRecover: ttr.map { TimeSpan(seconds: $0) }, hurt: hurt)
    }

    /// Seven quiet nights, newest first: scores 88 ± 1, recovery 40 ± 2 s.
    static let quiet: [RegressionCheck.Run] = zip([88.5, 87.2, 88.9, 87.8, 88.1, 89.0, 87.5], [41.0, 39.0, 40.5, 38.5, 42.0, 40.0, 39.5]).enumerated().map { i, figures in
        run(7 - i, score: figures.0, ttr: figures.1)
    }

    @Test func noiseIsNotFlagged() {
        #expect(RegressionCheck.judge(Self.run(8, score: 86.9, ttr: 43), earlier: Self.quiet).isEmpty)
        #expect(RegressionCheck.judge(Self.run(1), earlier: []).isEmpty, "a first run has nothing to be judged against")
    }

    @Test func aRealDropInScoreAndRecoveryIsARegressionNamingTheRunsJudgedAgainst() {
        let findings = RegressionCheck.judge(Self.run(8, .fail, score: 61.2, ttr: 95), earlier: Self.quiet)
        #expect(findings.map(\.kind) == [.verdict, .score, .timeToRecover])
        #expect(findings.allSatisfy { $0.isRegression && $0.against == (1...7).reversed().map { "night-\($0)" } })
        #expect(findings[0].detail == "fail where the run before (night-7) passed")
        #expect(findings[1].detail.hasPrefix("score 61.2 against 88.1 (mean of 7 runs, spread ±0.7)"), "\(findings[1].detail)")
        #expect(findings[2].detail.hasPrefix("recovered in 95 s against 40.1 s"), "\(findings[2].detail)")
    }

    @Test func notRecoveringWhereEveryEarlierRunDidIsARegression() {
        let findings = RegressionCheck.judge(Self.run(8, score: 87.9, ttr: nil), earlier: Self.quiet)
        #expect(findings.map(\.kind) == [.timeToRecover] && findings[0].detail.hasPrefix("did not recover, where each of the last 7 runs recovered"))
    }

    @Test func aFlipFloppingPlanIsFlakyNotARegression() {
        let earlier = [Self.run(7), Self.run(6, .fail), Self.run(5), Self.run(4, .fail), Self.run(3)]
        let findings = RegressionCheck.judge(Self.run(8, .fail), earlier: earlier)
        #expect(findings.map(\.kind) == [.flaky] && !findings[0].isRegression)
        #expect(findings[0].detail == "the verdict changed 5 times over the last 6 runs (3 failed) without staying changed")
    }

    @Test func aChangeThatStaysIsARegressionTheFirstTimeOnly() {
        let first = RegressionCheck.judge(Self.run(8, .fail), earlier: Self.quiet)
        #expect(first.map(\.kind) == [.verdict])
        let second = RegressionCheck.judge(Self.run(9, .fail), earlier: [Self.run(8, .fail)] + Self.quiet)
        #expect(second.isEmpty, "the night after, the history already failed")
    }

    @Test func onlyTheWindowIsRead() {
        // Old failures beyond the last seven runs do not make the plan flaky.
        let earlier = Self.quiet + [Self.run(0, .fail), Self.run(-1), Self.run(-2, .fail)]
        #expect(RegressionCheck.judge(Self.run(8, .fail), earlier: earlier).map(\.kind) == [.verdict])
    }
}
