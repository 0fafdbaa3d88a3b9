/// The points of a `query_range` answer laid on a run's windows: point k is the value at
/// `start + k × window`, so point w is the start of window w and point w + 1 its end.
struct PrometheusTimelineGrid {
    /// Seconds since the Unix epoch of point 0, the start of window 0.
    var start: Double
    /// The window (and the query step) in seconds.
    var window: Double
    /// How many windows the run covers; there are one more points.
    var windowCount: Int

    /// The finite value of each point 0…windowCount; nil where the series has none (a gap).
    /// A point off the grid goes to the nearest grid time; points outside the run are left out.
    func values(_ points: [PrometheusPoint]) -> [Double?] {
        var values = [Double?](repeating: nil, count: windowCount + 1)
        for point in points where point.value.isFinite {
            let position = ((point.time - start) / window).rounded()
            guard position >= 0, position <= Double(windowCount) else { continue }
            values[Int(position)] = point.value
        }
        return values
    }

    /// What a counter gained in each window.
    ///
    /// Between two points with a value, the gain is the difference, or, when the value dropped
    /// (the process restarted and its counter began again at 0), the later value. A gain across a
    /// gap is shared evenly by the windows the gap covers (earlier windows take the remainder),
    /// so a gap reads as unknown traffic rather than none. A series whose first point comes after
    /// point 0 was created during the run (Istio creates a label set on its first request), so
    /// its first value counts from 0 in the window that ends there. Gains are rounded to whole
    /// requests, each at most `UInt32.max`.
    func increments(_ points: [PrometheusPoint]) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: windowCount)
        var previous: (index: Int, value: Double)?
        for (index, value) in values(points).enumerated() {
            guard let value else { continue }
            if let (before, last) = previous {
                spread(Self.whole(value >= last ? value - last : value), over: before..<index, into: &result)
            } else if index > 0 {
                result[index - 1] += Self.whole(value)
            }
            previous = (index, value)
        }
        return result
    }

    /// A gauge's value at the end of each window: the point that ends it, else the last value
    /// before it, else (before the first value) the first value; nil when the series has no value.
    func gauge(_ points: [PrometheusPoint]) -> [Double]? {
        let values = values(points)
        guard var current = values.lazy.compactMap({ $0 }).first else { return nil }
        return (0..<windowCount).map { w in
            if let value = values[w + 1] { current = value }
            return current
        }
    }

    private func spread(_ gain: UInt64, over windows: Range<Int>, into result: inout [UInt64]) {
        let n = UInt64(windows.count)
        let (share, remainder) = gain.quotientAndRemainder(dividingBy: n)
        for (i, w) in windows.enumerated() { result[w] += share + (UInt64(i) < remainder ? 1 : 0) }
    }

    private static func whole(_ value: Double) -> UInt64 {
        UInt64(min(max(0, value.rounded()), Double(UInt32.max)))
    }
}
