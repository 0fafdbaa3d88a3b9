import QuakeCore

/// Which windows of a log being followed (`quake observe --follow`) are ready to show, in order,
/// each once. A window is ready once `settle` has passed since its end: Envoy writes a line when
/// its request ends and flushes its log every 10 s by default, so a window's lines come that late.
///
/// The rows start at the first window with a line (or at the window the follow started in, if
/// that is earlier). Past windows show as the log has them, the quiet ones inside it included;
/// from the window the follow started in, every window shows, with no requests if the log got no
/// line for it, so that a service that stops answering shows as zeros rather than silence. A
/// line that arrives after its window was shown counts only in the final summary. Pure: the
/// caller gives the time.
public struct ObservedWindowFeed: Sendable {
    /// The window length.
    public let window: TimeSpan
    /// How long after its end a window is shown.
    public let settle: TimeSpan
    /// The absolute number (from the epoch) of the window the follow started in.
    private let liveFrom: Int64
    /// The absolute number of the next window to show; nil until the first is shown.
    private var next: Int64?

    /// A feed of `window`-long windows aligned on the epoch (as an ``AccessLogAggregator`` without
    /// an origin makes them), for a follow that started at `startedAt` (µs since the epoch).
    public init(window: TimeSpan, settle: TimeSpan, startedAt: Int64) {
        precondition(window.microseconds > 0 && settle.microseconds >= 0, "a feed needs a positive window and a settle time of 0 or more")
        self.window = window
        self.settle = settle
        liveFrom = Self.floorDivide(startedAt, window.microseconds)
    }

    /// The windows ready at `now` (µs since the epoch) and not shown yet, with their start (µs
    /// since the epoch), from what `summary` (of an aggregator without an origin) holds.
    public mutating func due(in summary: ObservedSummary, now: Int64) -> [(start: Int64, counts: ObservedSummary.Counts)] {
        let length = window.microseconds
        let last = Self.floorDivide(now - settle.microseconds, length) - 1
        let first = summary.windows.isEmpty ? nil : Self.floorDivide(summary.start, length)
        var k = next ?? min(first ?? liveFrom, liveFrom)
        guard k <= last else { return [] }
        var rows: [(Int64, ObservedSummary.Counts)] = []
        while k <= last {
            if let first, k >= first, k - first < Int64(summary.windows.count) {
                rows.append((k * length, summary.windows[Int(k - first)]))
            } else if k >= liveFrom {
                rows.append((k * length, Self.quiet(start: k * length)))
            }
            k += 1
        }
        next = k
        return rows
    }

    /// Whether a window is ready at `now` that has not been shown: the caller asks for the summary
    /// (whose cost grows with the windows) only then.
    public func hasDue(now: Int64) -> Bool {
        let last = Self.floorDivide(now - settle.microseconds, window.microseconds) - 1
        return (next ?? .min) <= last
    }

    /// A window without a line.
    static func quiet(start: Int64) -> ObservedSummary.Counts {
        ObservedSummary.Counts(start: start, requests: 0, codes: [], flags: [], flagCombinations: [], upstreamClusters: [], upstreamHosts: [],
                               latency: ObservedLatency(LatencyHistogram()))
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
