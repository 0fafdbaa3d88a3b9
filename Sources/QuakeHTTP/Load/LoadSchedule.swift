import Foundation

/// The scheduled send instants of one worker's share of an open-loop load, in nanoseconds after
/// the load's start, in order, ending before the load's duration. The same arguments always give
/// the same instants.
///
/// Workers split the rate evenly: with a constant arrival their instants interleave (worker `w`
/// of `W` sends requests `w`, `w + W`, … of the whole schedule); with Poisson arrivals each runs
/// a Poisson process of `rate / W` from its own stream of the seed, and together they make one
/// of `rate`. With a ramp, the instants are those of the steady schedule on the scale of the
/// requests called for (``LoadRateCurve``): the n-th request leaves when the ramp's count reaches n.
struct LoadSchedule {
    private let end: Int64
    private let curve: LoadRateCurve
    private let worker: Int
    private let workers: Int
    private let poisson: Bool
    /// Constant: how many of this worker's instants were given. Poisson: unused.
    private var issued = 0
    /// Poisson: the requests called for by the last instant, exactly.
    private var count = 0.0
    /// Poisson: SplitMix64 state.
    private var random: UInt64

    /// The schedule of `worker` (0-based) of `workers` for `rate` requests per second in all over
    /// `duration`, reached through `ramp` if there is one.
    init(rate: Double, arrival: LoadArrival, worker: Int, workers: Int, duration: Duration, ramp: LoadRamp? = nil) {
        precondition(rate > 0 && rate.isFinite && workers > 0 && (0..<workers).contains(worker))
        end = Int64(clamping: duration.components.seconds) &* 1_000_000_000 &+ duration.components.attoseconds / 1_000_000_000
        curve = LoadRateCurve(rate: rate, ramp: ramp)
        self.worker = worker
        self.workers = workers
        switch arrival {
        case .constant:
            poisson = false
            random = 0
        case .poisson(let seed):
            poisson = true
            random = seed &+ UInt64(worker) &* 0xD1B5_4A32_D192_ED03
        }
    }

    /// The next instant, or nil once the schedule has passed the duration.
    mutating func next() -> Int64? {
        if poisson {
            // Exponential gaps of mean `workers` requests on the count's scale: -ln(1 - u) with u uniform in [0, 1).
            let u = Double(nextRandom() >> 11) * 0x1p-53
            count += -log1p(-u) * Double(workers)
        } else {
            count = Double(worker + issued * workers)
            issued += 1
        }
        let instant = curve.instant(ofCount: count) * 1e9
        guard instant < Double(end) else { return nil }
        return Int64(instant)
    }

    private mutating func nextRandom() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
