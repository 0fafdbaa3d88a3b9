import Foundation

/// A length of time with microsecond precision, as written in plans (`90s`, `5m`, `1h30m`, `250ms`).
///
/// Integer microseconds keep arithmetic exact and cheap in the simulator's hot loop.
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in microseconds.
    public var microseconds: Int64

    /// A span of `microseconds`.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// A span of `seconds`, rounded to the nearest microsecond.
    public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded()) }

    /// No time at all.
    public static let zero = TimeSpan(microseconds: 0)

    /// `n` milliseconds.
    public static func milliseconds(_ n: Double) -> TimeSpan { TimeSpan(seconds: n / 1000) }
    /// `n` seconds.
    public static func seconds(_ n: Double) -> TimeSpan { TimeSpan(seconds: n) }
    /// `n` minutes.
    public static func minutes(_ n: Double) -> TimeSpan { TimeSpan(seconds: n * 60) }
    /// `n` hours.
    public static func hours(_ n: Double) -> TimeSpan { TimeSpan(seconds: n * 3600) }

    /// The span in seconds.
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.microseconds < b.microseconds }
    public static func + (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(microseconds: a.microseconds + b.microseconds) }
    public static func - (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(microseconds: a.microseconds - b.microseconds) }
    public static func * (a: TimeSpan, k: Int64) -> TimeSpan { TimeSpan(microseconds: a.microseconds * k) }
    public static func += (a: inout TimeSpan, b: TimeSpan) { a.microseconds += b.microseconds }

    private static let units: [(suffix: String, micros: Double)] = [
        ("ns", 0.001), ("us", 1), ("µs", 1), ("ms", 1000), ("s", 1_000_000),
        ("m", 60_000_000), ("h", 3_600_000_000), ("d", 86_400_000_000),
    ]

    /// Parses `90s`, `5m`, `1h30m`, `250ms`, `0.3ms`, `1.5s`, `500us`; nil for anything else.
    ///
    /// Every number needs a unit; `0` alone is accepted as zero.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { self = .zero; return }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        var rest = Substring(s)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isNumber || $0 == ".") }
            guard let unit = Self.units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.micros
        }
        guard total.isFinite, total < 1e17 else { return nil }
        self.microseconds = Int64(total.rounded())
    }

    /// The shortest exact spelling in the plan syntax: `1h30m`, `250ms`, `1.5s`.
    public var description: String {
        let us = microseconds
        if us == 0 { return "0s" }
        if us < 0 { return "-" + TimeSpan(microseconds: -us).description }
        if us % 1_000_000 == 0 {
            var s = us / 1_000_000
            var out = ""
            if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
            if s >= 60 { out += "\(s / 60)m"; s %= 60 }
            if s > 0 { out += "\(s)s" }
            return out
        }
        if us >= 60_000_000 {
            let whole = us / 60_000_000 * 60_000_000
            return TimeSpan(microseconds: whole).description + Self.trim(Double(us - whole) / 1_000_000) + "s"
        }
        if us >= 1_000_000 { return Self.trim(Double(us) / 1_000_000) + "s" }
        if us % 1000 == 0 || us >= 1000 { return Self.trim(Double(us) / 1000) + "ms" }
        return "\(us)us"
    }

    private static func trim(_ v: Double) -> String {
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
