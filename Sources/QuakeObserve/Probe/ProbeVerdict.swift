/// Whether one probe check passed, and if not, why, in words for a report.
public struct ProbeVerdict: Sendable, Equatable, CustomStringConvertible {
    /// Whether the check passed.
    public var passed: Bool
    /// Why it failed (`status 503, expected 200`), or `ok`.
    public var reason: String

    /// A passing verdict.
    public static let pass = ProbeVerdict(passed: true, reason: "ok")

    /// A failing verdict for `reason`.
    public static func fail(_ reason: String) -> ProbeVerdict {
        ProbeVerdict(passed: false, reason: reason)
    }

    /// `pass`, or `fail: ` and the reason.
    public var description: String { passed ? "pass" : "fail: \(reason)" }
}
