/// A small seeded generator (SplitMix64): the same seed gives the same draws on every machine,
/// so a plan's random choices (a lab pod's service times, the pods a pod-kill picks on a real
/// cluster) repeat with its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Whether an event of probability `p` happens on this draw.
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && unit() < p
    }
}
