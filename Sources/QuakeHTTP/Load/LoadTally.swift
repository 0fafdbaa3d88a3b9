import Histogram

/// What a load did over a span, one second of it or the whole run: requests sent, late and unsent,
/// responses by status, failures by kind, and an HDR histogram of latencies.
///
/// Latency runs from a request's scheduled instant (open loop) or its send (closed loop) to its
/// end, for every request that ended, failures included. Recording costs a few array increments.
public struct LoadTally: Sendable {
    /// Requests handed to libcurl.
    public internal(set) var sent = 0
    /// Requests sent at least ``lateThreshold`` after their scheduled instant, because the
    /// in-flight cap was reached or the sending thread fell behind (open loop only).
    public internal(set) var late = 0
    /// Requests never sent: they waited for the in-flight cap longer than their timeout, or
    /// were still waiting when the load ended or was stopped.
    public internal(set) var unsent = 0
    /// Requests that ended, answered or failed.
    public internal(set) var completed = 0
    /// Response body bytes received.
    public internal(set) var bodyBytes = 0

    /// Responses by status code 0…999 (larger codes are counted as 999).
    private(set) var statusCounts: [UInt32]
    /// Failures by ``LoadErrorKind/rawValue``.
    private(set) var errorCounts: [UInt32]
    /// Latencies in microseconds.
    private(set) var histogram: Histogram<UInt64>

    /// How late a request must leave to count as ``late``: 1 ms.
    public static let lateThreshold = Duration.milliseconds(1)

    /// An empty tally; `precise` keeps latencies to 3 significant digits (the run's total),
    /// else 2 (one second's).
    init(precise: Bool) {
        statusCounts = [UInt32](repeating: 0, count: 1000)
        errorCounts = [UInt32](repeating: 0, count: LoadErrorKind.allCases.count)
        histogram = Histogram(numberOfSignificantValueDigits: precise ? .three : .two)
    }

    // MARK: Recording (a worker's hot path)

    @inline(__always)
    mutating func recordSent(late isLate: Bool) {
        sent &+= 1
        if isLate { late &+= 1 }
    }

    @inline(__always)
    mutating func recordUnsent(_ count: Int = 1) {
        unsent &+= count
    }

    @inline(__always)
    mutating func recordResponse(status: Int, microseconds: UInt64) {
        completed &+= 1
        statusCounts[min(max(status, 0), 999)] &+= 1
        histogram.record(microseconds)
    }

    @inline(__always)
    mutating func recordFailure(_ kind: LoadErrorKind, microseconds: UInt64) {
        completed &+= 1
        errorCounts[kind.rawValue] &+= 1
        histogram.record(microseconds)
    }

    @inline(__always)
    mutating func recordBodyBytes(_ count: Int) {
        bodyBytes &+= count
    }

    /// Adds everything `other` counted (a tally of the same precision).
    mutating func merge(_ other: LoadTally) {
        sent += other.sent
        late += other.late
        unsent += other.unsent
        completed += other.completed
        bodyBytes += other.bodyBytes
        for i in statusCounts.indices where other.statusCounts[i] != 0 { statusCounts[i] &+= other.statusCounts[i] }
        for i in errorCounts.indices { errorCounts[i] &+= other.errorCounts[i] }
        histogram.add(other.histogram)
    }

    // MARK: Reading

    /// Requests answered with a status, whatever it was.
    public var responses: Int { statusCounts.reduce(0) { $0 + Int($1) } }

    /// Requests that failed without a response.
    public var failures: Int { errorCounts.reduce(0) { $0 + Int($1) } }

    /// Response counts by status, lowest status first; statuses never seen are left out.
    public var statuses: [(status: Int, count: Int)] {
        statusCounts.indices.compactMap { statusCounts[$0] == 0 ? nil : ($0, Int(statusCounts[$0])) }
    }

    /// How many responses had `status`.
    public func count(status: Int) -> Int {
        Int(statusCounts[min(max(status, 0), 999)])
    }

    /// Failure counts by kind, in ``LoadErrorKind`` order; kinds never seen are left out.
    public var errors: [(kind: LoadErrorKind, count: Int)] {
        LoadErrorKind.allCases.compactMap { errorCounts[$0.rawValue] == 0 ? nil : ($0, Int(errorCounts[$0.rawValue])) }
    }

    /// How many requests failed with `kind`.
    public func count(of kind: LoadErrorKind) -> Int {
        Int(errorCounts[kind.rawValue])
    }

    /// The latency at `percentile` (0–100), within the histogram's precision; nil when nothing ended.
    public func latency(atPercentile percentile: Double) -> Duration? {
        guard histogram.totalCount > 0 else { return nil }
        return .microseconds(Int64(clamping: histogram.valueAtPercentile(percentile)))
    }

    /// The longest latency recorded; nil when nothing ended.
    public var maxLatency: Duration? {
        guard histogram.totalCount > 0 else { return nil }
        return .microseconds(Int64(clamping: histogram.maxRecorded))
    }

    /// Every latency recorded as (microseconds, how many), shortest first, each value the top of
    /// its histogram bucket (never above the longest recorded).
    public var latencyCounts: [(microseconds: Int64, count: Int)] {
        guard histogram.totalCount > 0 else { return [] }
        let top = histogram.maxRecorded
        return histogram.recordedValues().map { (Int64(clamping: min($0.value, top)), Int($0.count)) }
    }
}
