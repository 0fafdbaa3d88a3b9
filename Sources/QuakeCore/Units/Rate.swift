import Foundation

/// A request rate, as written in plans: `500/s`, `30000/m`, `2/h`.
public struct Rate: Hashable, Sendable, CustomStringConvertible {
    /// Events per second.
    public var perSecond: Double

    /// A rate of `perSecond` events each second.
    public init(perSecond: Double) { self.perSecond = perSecond }

    /// Parses `500/s`, `30000/m`, `30000/min`, `2/h`; nil for anything else or a negative rate.
    public init?(parsing text: String) {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Double(parts[0]), n.isFinite, n >= 0 else { return nil }
        switch parts[1] {
        case "s", "sec": perSecond = n
        case "m", "min": perSecond = n / 60
        case "h": perSecond = n / 3600
        default: return nil
        }
    }

    public var description: String {
        let v = perSecond
        if v == v.rounded() { return "\(Int64(v))/s" }
        return String(format: "%.3f/s", v)
    }
}
