import Foundation

/// A small line chart as inline SVG: series over time, with shaded intervals (fault windows).
struct SVGChart {
    struct Series {
        var name: String
        /// One value per point; nil leaves a gap.
        var values: [Double?]
    }

    var title: String
    /// Seconds per point.
    var step: Double
    var series: [Series]
    var yLabel: String
    /// The y range; nil fits the data.
    var yRange: ClosedRange<Double>?
    /// Intervals to shade, in seconds.
    var shaded: [(from: Double, to: Double)]

    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"]
    static let width = 860.0, plotHeight = 166.0, left = 64.0, right = 16.0, top = 28.0, legendPerRow = 5

    /// Downsamples `values` to at most `points` by averaging (gaps stay gaps when a bucket is empty).
    static func downsample(_ values: [Double?], step: Double, points: Int = 600) -> (values: [Double?], step: Double) {
        guard values.count > points else { return (values, step) }
        let per = (values.count + points - 1) / points
        let out = stride(from: 0, to: values.count, by: per).map { start -> Double? in
            let chunk = values[start..<min(values.count, start + per)].compactMap { $0 }
            return chunk.isEmpty ? nil : chunk.reduce(0, +) / Double(chunk.count)
        }
        return (out, step * Double(per))
    }

    func render() -> String {
        let plotW = Self.width - Self.left - Self.right, plotH = Self.plotHeight
        let legendRows = max(1, (series.count + Self.legendPerRow - 1) / Self.legendPerRow)
        let height = Self.top + plotH + 30 + 16 * Double(legendRows)
        let count = series.map(\.values.count).max() ?? 0
        let duration = max(step * Double(max(count, 1)), 1e-9)
        let data = series.flatMap { $0.values.compactMap { $0 } }
        var range = yRange ?? ((data.min() ?? 0)...(max(data.max() ?? 1, (data.min() ?? 0) + 1e-9)))
        if range.lowerBound == range.upperBound { range = range.lowerBound...(range.lowerBound + 1) }
        func x(_ t: Double) -> Double { Self.left + plotW * t / duration }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(title))\">\n"
        svg += "<text x=\"\(Self.left)\" y=\"18\" class=\"title\">\(html(title))</text>\n"
        for interval in shaded {
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"fault\"/>\n", x(interval.from), Self.top, max(1, x(interval.to) - x(interval.from)), plotH)
        }
        for i in 0...4 {
            let v = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 4
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", Self.left, Self.left + plotW, y(v), y(v))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%@</text>\n", Self.left - 6, y(v) + 4, Self.number(v))
        }
        for i in 0...6 {
            let t = duration * Double(i) / 6
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%@</text>\n", x(t), Self.top + plotH + 16, ReportText.seconds(t.rounded()))
        }
        svg += String(format: "<text x=\"14\" y=\"%.1f\" class=\"axis\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%@</text>\n", Self.top + plotH / 2, Self.top + plotH / 2, html(yLabel))
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            var path = ""
            var drawing = false
            for (k, v) in s.values.enumerated() {
                guard let v else { drawing = false; continue }
                path += String(format: "%@%.1f %.1f ", drawing ? "L" : "M", x(Double(k) * step + step / 2), y(v))
                drawing = true
            }
            if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\"/>\n" }
            let lx = Self.left + Double(i % Self.legendPerRow) * (plotW / Double(Self.legendPerRow))
            let ly = Self.top + plotH + 44 + 16 * Double(i / Self.legendPerRow)
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%@\"/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%@</text>\n", lx, ly - 9, color, lx + 14, ly, html(s.name))
        }
        return svg + "</svg>\n"
    }

    static func number(_ v: Double) -> String {
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        if abs(v) >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v)
    }
}

/// HTML-escapes text.
func html(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
