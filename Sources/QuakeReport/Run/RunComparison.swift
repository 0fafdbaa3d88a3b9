import Foundation

/// Two runs side by side (`quake compare A B`): each SLO's value and each headline metric of run A
/// and run B, the change, and whether the change is beyond noise.
///
/// Noise is judged from the 95 % intervals of repeated runs (`--repeat N`): when both runs have
/// an interval for a figure, the change is beyond noise if the intervals do not overlap; when one
/// has, if the other's value lies outside it. Two single runs have no interval, so no change of
/// theirs can be told from noise, and the row says so. A repeated run's figure is its mean.
public struct RunComparison: Sendable, Equatable, Codable {
    /// What identifies each run.
    public struct Side: Sendable, Equatable, Codable {
        public var plan: String
        public var target: String
        public var startedAt: String
        public var seed: UInt64
        public var repeats: Int
        public var verdict: String
        public var score: Double?
    }

    /// Whether a change stands out from the run-to-run spread.
    public enum Noise: String, Sendable, Codable {
        case beyond = "beyond noise"
        case within = "within noise"
        case unknown = "no interval"
    }

    /// One figure of both runs.
    public struct Row: Sendable, Equatable, Codable {
        /// `slo` or `metric`.
        public var kind: String
        public var name: String
        public var a: Double?
        public var b: Double?
        /// `b - a`, when both have a value.
        public var change: Double?
        public var noise: Noise
    }

    public var a: Side
    public var b: Side
    public var rows: [Row]

    /// The comparison of run `a` (the earlier, usually) with run `b`.
    public init(_ a: RunRecord, _ b: RunRecord) {
        self.a = Self.side(a)
        self.b = Self.side(b)
        var rows: [Row] = []
        let names = a.slos.map(\.name) + b.slos.map(\.name).filter { name in !a.slos.contains { $0.name == name } }
        for name in names {
            rows.append(Self.row(kind: "slo", name: name,
                                 a: Self.figure(name, in: a.repeats?.slos, else: a.slos.first { $0.name == name }?.value),
                                 b: Self.figure(name, in: b.repeats?.slos, else: b.slos.first { $0.name == name }?.value)))
        }
        let metrics: [(String, (RunRecord) -> Double?)] = [
            ("score", \.score),
            ("time to detect (s)", \.metrics.timeToDetectSeconds),
            ("time to recover (s)", \.metrics.timeToRecoverSeconds),
            ("failed requests", { Double($0.metrics.failedRequests) }),
            ("total requests", { Double($0.metrics.totalRequests) }),
            ("error budget burn", \.metrics.errorBudgetBurn),
        ]
        for (name, value) in metrics {
            rows.append(Self.row(kind: "metric", name: name,
                                 a: Self.figure(name, in: a.repeats?.metrics, else: value(a)),
                                 b: Self.figure(name, in: b.repeats?.metrics, else: value(b))))
        }
        self.rows = rows
    }

    /// A figure's value and interval: the repeats' mean and 95 % interval when there is one, else
    /// the single run's value.
    private static func figure(_ name: String, in repeated: [RunRecord.RepeatedFigure]?, else single: Double?) -> (value: Double?, interval: ClosedRange<Double>?) {
        guard let figure = repeated?.first(where: { $0.name == name }), let mean = figure.mean else { return (single, nil) }
        let interval = figure.low.flatMap { low in figure.high.map { low...max(low, $0) } }
        return (mean, interval)
    }

    private static func row(kind: String, name: String, a: (value: Double?, interval: ClosedRange<Double>?), b: (value: Double?, interval: ClosedRange<Double>?)) -> Row {
        let change = a.value.flatMap { av in b.value.map { $0 - av } }
        let noise: Noise
        switch (a.interval, b.interval) {
        case let (ia?, ib?): noise = ia.overlaps(ib) ? .within : .beyond
        case let (ia?, nil): noise = b.value.map { ia.contains($0) ? .within : .beyond } ?? .unknown
        case let (nil, ib?): noise = a.value.map { ib.contains($0) ? .within : .beyond } ?? .unknown
        case (nil, nil): noise = .unknown
        }
        return Row(kind: kind, name: name, a: a.value, b: b.value, change: change, noise: noise)
    }

    private static func side(_ r: RunRecord) -> Side {
        Side(plan: r.plan, target: r.target, startedAt: r.startedAt, seed: r.seed, repeats: r.repeats?.seeds.count ?? 1, verdict: r.verdict, score: r.score)
    }

    /// The comparison as a table for a terminal.
    public func text(nameA: String = "A", nameB: String = "B") -> String {
        func describe(_ s: Side) -> String {
            "\(s.plan) on \(s.target), \(s.startedAt), seed \(s.seed)\(s.repeats > 1 ? " (\(s.repeats) repeats)" : ""): \(s.verdict.uppercased())\(s.score.map { ", score " + ReportText.score($0) } ?? "")"
        }
        var lines = ["\(nameA): \(describe(a))", "\(nameB): \(describe(b))", ""]
        let header = ["", "figure", nameA, nameB, "change", ""]
        var table = [header]
        for row in rows {
            table.append([row.kind, row.name, row.a.map(ReportText.number) ?? "—", row.b.map(ReportText.number) ?? "—",
                          row.change.map { ($0 > 0 ? "+" : "") + ReportText.number($0) } ?? "—", row.change == nil ? "" : row.noise.rawValue])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for cells in table {
            var line = cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        if a.repeats == 1 && b.repeats == 1 {
            lines += ["", "Both are single runs, so no change can be told from noise: run each with --repeat N for 95 % intervals."]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
