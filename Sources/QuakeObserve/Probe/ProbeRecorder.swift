import QuakeCore
import Synchronization

/// The checks and passes of each probe per window, filled in while probes run and readable at
/// any time (a live target's `observe(through:)` reads it mid-run).
public final class ProbeRecorder: Sendable {
    private let names: [String]
    private let windowCount: Int
    private let counts: Mutex<(checks: [[UInt32]], passes: [[UInt32]])>

    /// An empty record for probes `names` over `windowCount` windows.
    public init(names: [String], windowCount: Int) {
        precondition(windowCount > 0, "a record needs at least one window")
        self.names = names
        self.windowCount = windowCount
        let empty = names.map { _ in [UInt32](repeating: 0, count: windowCount) }
        counts = Mutex((empty, empty))
    }

    /// Counts one check of probe `index` in `window`, and its pass if it passed.
    public func record(probe index: Int, window: Int, passed: Bool) {
        precondition(names.indices.contains(index) && (0..<windowCount).contains(window), "no such probe or window")
        counts.withLock { counts in
            counts.checks[index][window] += 1
            if passed { counts.passes[index][window] += 1 }
        }
    }

    /// One series per probe that made at least one check, in the order of `names` — what the
    /// model adds to its Timeline, so that `probeSuccess(name)` reads both alike.
    public var series: [ProbeSeries] {
        counts.withLock { counts in
            names.indices.compactMap { index in
                guard counts.checks[index].contains(where: { $0 > 0 }) else { return nil }
                return ProbeSeries(name: names[index], checks: counts.checks[index], passes: counts.passes[index])
            }
        }
    }

    /// Adds the series to `timeline`, replacing any of the same names.
    public func fill(_ timeline: inout Timeline) {
        for probe in series {
            timeline.add(probe)
        }
    }
}
