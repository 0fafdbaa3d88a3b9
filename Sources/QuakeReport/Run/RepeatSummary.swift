import Foundation

/// Figures over repeated runs of one plan with different seeds: mean, a 95 % interval
/// (Student's t), and whether a verdict flipped (flaky).
public enum RepeatSummary {
    /// The combined record: the first run's record with the worst verdict of all runs and a `repeats` section.
    public static func combine(_ runs: [RunRecord]) -> RunRecord? {
        guard var combined = runs.first else { return nil }
        let rank = ["pass": 0, "inconclusive": 1, "fail": 2, "aborted": 3, "error": 4]
        combined.verdict = runs.map(\.verdict).max { (rank[$0] ?? 0) < (rank[$1] ?? 0) } ?? combined.verdict
        var slos: [RunRecord.RepeatedFigure] = []
        for (i, slo) in combined.slos.enumerated() {
            let values = runs.compactMap { $0.slos.indices.contains(i) ? $0.slos[i].value : nil }
            let verdicts = runs.map { $0.slos.indices.contains(i) ? $0.slos[i].verdict : "-" }
            slos.append(figure(slo.name, values, verdicts: verdicts))
        }
        let metrics = [
            figure("score", runs.compactMap(\.score), verdicts: runs.map(\.verdict)),
            figure("time to recover (s)", runs.compactMap(\.metrics.timeToRecoverSeconds), verdicts: []),
            figure("failed requests", runs.map { Double($0.metrics.failedRequests) }, verdicts: []),
        ]
        combined.repeats = RunRecord.Repeats(seeds: runs.map(\.seed), slos: slos, metrics: metrics)
        return combined
    }

    /// Mean and 95 % interval of `values`; flaky when the verdicts differ.
    static func figure(_ name: String, _ values: [Double], verdicts: [String]) -> RunRecord.RepeatedFigure {
        let flaky = Set(verdicts).count > 1
        guard !values.isEmpty else { return RunRecord.RepeatedFigure(name: name, mean: nil, low: nil, high: nil, verdicts: verdicts, flaky: flaky) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        guard values.count > 1 else { return RunRecord.RepeatedFigure(name: name, mean: mean, low: mean, high: mean, verdicts: verdicts, flaky: flaky) }
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let half = tQuantile(degrees: values.count - 1) * sd / n.squareRoot()
        return RunRecord.RepeatedFigure(name: name, mean: round(mean), low: round(mean - half), high: round(mean + half), verdicts: verdicts, flaky: flaky)
    }

    /// The 97.5th percentile of Student's t with `degrees` degrees of freedom (1.96 past 30).
    static func tQuantile(degrees: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                               2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return degrees >= 1 && degrees <= table.count ? table[degrees - 1] : 1.96
    }

    private static func round(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }
}
