/// A linear climb (or fall) of an open-loop load's rate: `from` requests per second at the start,
/// the load's own rate once `over` has passed, steady after.
public struct LoadRamp: Sendable, Hashable {
    /// The rate at the start, requests per second (0 or more).
    public var from: Double
    /// How long the rate takes to reach the load's.
    public var over: Duration

    public init(from: Double, over: Duration) {
        self.from = from
        self.over = over
    }
}

/// How many requests an open-loop load has called for by a time, and when it calls for its n-th:
/// the integral of its rate, and that integral's inverse. A steady rate `r` gives `r × t` and
/// `n / r`; a ramp from `r0` over `T` gives `r0 t + (r − r0) t² / 2T` until `T`. Pure.
struct LoadRateCurve: Sendable {
    /// The steady rate, requests per second.
    let rate: Double
    /// The rate at the start, and the ramp's length in seconds (0: no ramp).
    let start: Double
    let rampSeconds: Double

    init(rate: Double, ramp: LoadRamp?) {
        self.rate = rate
        start = ramp?.from ?? rate
        rampSeconds = ramp.map { $0.over / .seconds(1) } ?? 0
    }

    /// Requests called for in the first `seconds`.
    func count(at seconds: Double) -> Double {
        guard rampSeconds > 0 else { return rate * seconds }
        guard seconds < rampSeconds else { return (start + rate) * rampSeconds / 2 + rate * (seconds - rampSeconds) }
        return start * seconds + (rate - start) * seconds * seconds / (2 * rampSeconds)
    }

    /// When the count reaches `n` (seconds from the start).
    func instant(ofCount n: Double) -> Double {
        let ramped = (start + rate) * rampSeconds / 2
        guard rampSeconds > 0, n < ramped else { return rampSeconds + (n - ramped) / rate }
        // The root of a t² + start t − n = 0 with a = (rate − start) / 2T, written so that neither
        // a flat ramp (a = 0) nor a start at 0 divides by zero.
        let a = (rate - start) / (2 * rampSeconds)
        let root = (start * start + 4 * a * n).squareRoot()
        let denominator = start + root
        return denominator > 0 ? 2 * n / denominator : 0
    }
}
