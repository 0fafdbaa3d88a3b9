import Foundation

/// A chart of one figure over a plan's recent runs as inline SVG: one point per run, evenly
/// spaced and labelled with its date, joined by a line; a failed run's point is red and links to
/// its report.
struct SVGTrendChart {
    var title: String
    var yLabel: String
    var points: [RunTrend.Point]
    var value: (RunTrend.Point) -> Double?
    /// The y range; nil fits the data (from zero).
    var yRange: ClosedRange<Double>?

    static let width = 860.0, plotHeight = 120.0, left = 64.0, right = 16.0, top = 28.0

    func render() -> String {
        let plotW = Self.width - Self.left - Self.right, plotH = Self.plotHeight
        let values = points.map(value)
        let data = values.compactMap { $0 }
        var range = yRange ?? (0...max(data.max() ?? 1, 1e-9))
        if range.lowerBound == range.upperBound { range = range.lowerBound...(range.lowerBound + 1) }
        let count = max(points.count, 1)
        func x(_ i: Int) -> Double { Self.left + plotW * (Double(i) + 0.5) / Double(count) }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.top + plotH + 26))\" role=\"img\" aria-label=\"\(html(title))\">\n"
        svg += "<text x=\"\(Self.left)\" y=\"18\" class=\"title\">\(html(title))</text>\n"
        for i in 0...2 {
            let v = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 2
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", Self.left, Self.left + plotW, y(v), y(v))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%@</text>\n", Self.left - 6, y(v) + 4, SVGChart.number(v))
        }
        let labelEvery = max(1, count / 10)
        for (i, point) in points.enumerated() where i % labelEvery == 0 || i == points.count - 1 {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%@</text>\n", x(i), Self.top + plotH + 16, html(Self.day(point.startedAt)))
        }
        svg += String(format: "<text x=\"14\" y=\"%.1f\" class=\"axis\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%@</text>\n", Self.top + plotH / 2, Self.top + plotH / 2, html(yLabel))
        var path = "", drawing = false
        for (i, v) in values.enumerated() {
            guard let v else { drawing = false; continue }
            path += String(format: "%@%.1f %.1f ", drawing ? "L" : "M", x(i), y(v))
            drawing = true
        }
        if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(SVGChart.palette[0])\" stroke-width=\"1.6\"/>\n" }
        for (i, point) in points.enumerated() {
            guard let v = values[i] else { continue }
            let dot = String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%@\" fill=\"%@\"><title>%@</title></circle>", x(i), y(v), point.failed ? "5" : "3",
                             point.failed ? "#dc2626" : SVGChart.palette[0], html("\(point.id): \(point.verdict), \(SVGChart.number(v))"))
            if point.failed, let link = point.link {
                svg += "<a href=\"\(html(link))\">\(dot)</a>\n"
            } else {
                svg += dot + "\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// `2026-12-07T02:00:00Z` as `12-07`.
    static func day(_ startedAt: String) -> String {
        let parts = startedAt.prefix(10).split(separator: "-")
        return parts.count == 3 ? "\(parts[1])-\(parts[2])" : String(startedAt.prefix(10))
    }
}

extension RunTrend {
    /// The three trend charts (score, time to recover, error budget burn) as one HTML section,
    /// with a sentence on the failed runs; empty when there are fewer than two runs.
    public func section(heading: String = "Recent runs") -> String {
        guard points.count >= 2 else { return "" }
        let failed = points.filter(\.failed).count
        var out = "<section><h2>\(html(heading))</h2>\n<p>The last \(points.count) runs of this plan, oldest first; "
        out += failed == 0 ? "none failed.</p>\n" : "\(failed) failed (red, linked to their reports).</p>\n"
        out += "<figure>" + SVGTrendChart(title: "Score", yLabel: "score", points: points, value: \.score, yRange: 0...100).render() + "</figure>\n"
        out += "<figure>" + SVGTrendChart(title: "Time to recover", yLabel: "seconds", points: points, value: \.timeToRecoverSeconds, yRange: nil).render() + "</figure>\n"
        out += "<figure>" + SVGTrendChart(title: "Error budget burn", yLabel: "× budget", points: points, value: \.errorBudgetBurn, yRange: nil).render() + "</figure>\n"
        return out + "</section>"
    }
}
