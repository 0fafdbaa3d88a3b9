/// When an open-loop load sends its requests: evenly spaced, or as a Poisson process.
public enum LoadArrival: Sendable, Hashable, CustomStringConvertible {
    /// One request every `1 / rate` seconds, the workers' instants interleaved.
    case constant
    /// Exponentially distributed gaps with mean `1 / rate`, from a generator seeded with `seed`,
    /// so that the same seed gives the same instants.
    case poisson(seed: UInt64)

    /// `constant`, or `poisson (seed N)`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case .poisson(let seed): "poisson (seed \(seed))"
        }
    }
}
