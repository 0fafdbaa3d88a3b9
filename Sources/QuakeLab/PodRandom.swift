import Foundation
import QuakeCore

/// The pod's seeded generator (SplitMix64): service times and error draws come from it, so a pod
/// started with the same seed draws the same sequence (requests served concurrently take their
/// draws in arrival order).
struct PodRandom: RandomNumberGenerator {
    private var state: UInt64

    /// A generator that starts from `seed`.
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Whether an event of probability `p` happens on this draw.
    mutating func chance(_ p: Double) -> Bool {
        p > 0 && unit() < p
    }

    /// One service time from `distribution`, in microseconds (never negative).
    mutating func sample(_ distribution: ServiceTime) -> Int64 {
        switch distribution {
        case let .fixed(t):
            return max(0, t.microseconds)
        case .logNormal:
            let (mu, sigma) = distribution.logNormalParameters
            // Box–Muller: one standard normal draw from two uniform ones.
            let u1 = max(unit(), 0x1p-53), u2 = unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let seconds = exp(mu + sigma * z)
            return Int64(min(seconds, 3600) * 1_000_000)
        }
    }
}
