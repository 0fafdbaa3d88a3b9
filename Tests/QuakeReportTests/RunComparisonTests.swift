import Foundation
import QuakeReport
import Testing

/// `quake compare`'s figures: each SLO and headline metric of both runs, the change, and whether
/// the change is beyond the noise the repeats' 95 % intervals show.
@Suite struct RunComparisonTests {
    static func sample() throws -> RunRecord { try SampleReportTests.record() }

    /// The run repeated with these scores (``RepeatSummary`` gives the mean and 95 % interval).
    static func repeated(_ record: RunRecord, scores: [Double]) -> RunRecord {
        let runs = scores.map { score -> RunRecord in
            var r = record
            r.score = score
            return r
        }
        return RepeatSummary.combine(runs)!
    }

    @Test func everySLOAndMetricIsSideBySideWithItsChange() throws {
        let a = try Self.sample()
        var b = a
        b.metrics.failedRequests = a.metrics.failedRequests + 120
        b.score = (a.score ?? 0) - 10
        let comparison = RunComparison(a, b)
        #expect(comparison.rows.filter { $0.kind == "slo" }.map(\.name) == a.slos.map(\.name))
        #expect(comparison.rows.filter { $0.kind == "metric" }.map(\.name) == ["score", "time to detect (s)", "time to recover (s)", "failed requests", "total requests", "error budget burn"])
        let failed = try #require(comparison.rows.first { $0.name == "failed requests" })
        #expect(failed.change == 120 && failed.noise == .unknown, "two single runs have no interval")
        #expect(comparison.text().contains("Both are single runs"))
        #expect(comparison.text().contains("+120"))
    }

    @Test func intervalsDecideWhatIsBeyondNoise() throws {
        let base = try Self.sample()
        let overlapping = RunComparison(Self.repeated(base, scores: [80, 85, 90]), Self.repeated(base, scores: [84, 88, 92]))
        #expect(overlapping.rows.first { $0.name == "score" }?.noise == .within)
        let apart = RunComparison(Self.repeated(base, scores: [80, 85, 90]), Self.repeated(base, scores: [60, 61, 62]))
        let score = try #require(apart.rows.first { $0.name == "score" })
        #expect(score.noise == .beyond && score.a == 85 && score.b == 61 && score.change == -24, "the means are compared")
        var single = base
        single.score = 70
        #expect(RunComparison(Self.repeated(base, scores: [80, 85, 90]), single).rows.first { $0.name == "score" }?.noise == .beyond, "a single run outside the other's interval")
        single.score = 88
        #expect(RunComparison(Self.repeated(base, scores: [80, 85, 90]), single).rows.first { $0.name == "score" }?.noise == .within)
    }

    @Test func anSLOOnlyOneRunHasIsShownWithoutAChange() throws {
        let a = try Self.sample()
        var fields = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        var slos = try #require(fields["slos"] as? [[String: Any]])
        var added = slos[0]
        added["name"] = "new guard"
        added["value"] = 99.5
        slos.append(added)
        fields["slos"] = slos
        let b = try JSONDecoder().decode(RunRecord.self, from: JSONSerialization.data(withJSONObject: fields))
        let row = try #require(RunComparison(a, b).rows.first { $0.name == "new guard" })
        #expect(row.a == nil && row.b == 99.5 && row.change == nil)
    }
}
