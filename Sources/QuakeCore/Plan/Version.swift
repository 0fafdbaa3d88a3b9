/// A `major.minor` version of Kubernetes, Karmada or Istio.
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The major number.
    public var major: Int
    /// The minor number.
    public var minor: Int

    /// A version from its numbers.
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `1.32`, `v1.32`, `1.32.3` (the patch number is ignored); nil for anything else.
    public init?(parsing text: String) {
        let s = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]),
              parts.count == 2 || Int(parts[2]) != nil else { return nil }
        self.init(major, minor)
    }

    public static func < (a: Version, b: Version) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

    public var description: String { "\(major).\(minor)" }
}
