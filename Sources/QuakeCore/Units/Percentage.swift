import Foundation

/// A percentage, as written in plans: `12.5%`; stored as the number before the sign.
public struct Percentage: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in percent (12.5 for `12.5%`).
    public var percent: Double

    /// A percentage of `percent` (0–100 for fractions of a whole).
    public init(_ percent: Double) { self.percent = percent }

    /// The value as a fraction (0.125 for `12.5%`).
    public var fraction: Double { percent / 100 }

    /// Parses `12.5%` (the sign is required); nil for anything else.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%"), let v = Double(s.dropLast().trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
        percent = v
    }

    public static func < (a: Percentage, b: Percentage) -> Bool { a.percent < b.percent }

    public var description: String {
        if percent == percent.rounded() { return "\(Int64(percent))%" }
        var s = String(format: "%.4f", percent)
        while s.hasSuffix("0") { s.removeLast() }
        return s + "%"
    }
}
