import Foundation
import QuakeCore

/// The pod's draws: service times and errors come from its seeded generator, so a pod started
/// with the same seed draws the same sequence (requests served concurrently take their draws in
/// arrival order).
typealias PodRandom = SplitMix64

extension SplitMix64 {
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
