import QuakeCore
import Synchronization

/// A live target that records what the Runner asked of it, with the clock's time, and reports a
/// metric series the test sets (so a stop condition on `promql("errors")` can trip).
final class RecordingTarget: LiveTarget {
    struct Failures: Sendable {
        var prepare = false
        var injectIndex: Int?
        var revertIndex: Int?
    }

    private let clock: InstantClockReader
    private let calls = Mutex<[String]>([])
    private let failures: Failures
    private let windows: Int
    /// The value of the `errors` metric in each window.
    private let errors: [Double]
    /// When a procedure's awaited step is confirmed, in seconds of the clock.
    private let checkPasses: Double?
    /// Called with each call's name as it is made (before the target acts).
    private let onCall: @Sendable (String) -> Void

    init(clock: @escaping @Sendable () -> Double, windows: Int, errors: [Double] = [], checkPasses: Double? = nil, failures: Failures = Failures(), onCall: @escaping @Sendable (String) -> Void = { _ in }) {
        self.clock = InstantClockReader(seconds: clock)
        self.windows = windows
        self.errors = errors
        self.checkPasses = checkPasses
        self.failures = failures
        self.onCall = onCall
    }

    var log: [String] { calls.withLock { $0 } }

    private func note(_ call: String) {
        onCall(call)
        calls.withLock { $0.append("\(clock.seconds())s \(call)") }
    }

    func prepare() async throws {
        note("prepare")
        if failures.prepare { throw TargetFailure(message: "no envoy") }
    }

    func inject(_ fault: FaultSpec, index: Int) async throws {
        note("inject \(index)")
        if failures.injectIndex == index { throw TargetFailure(message: "admin API refused") }
    }

    func revert(_ fault: FaultSpec, index: Int) async throws {
        note("revert \(index)")
        if failures.revertIndex == index { throw TargetFailure(message: "still faulted") }
    }

    func perform(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws { note("step \(step.action.kind) (\(index))") }

    /// A `check` is confirmed once the clock reaches `checkPasses` (never when nil).
    func isComplete(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws -> Bool {
        note("confirm \(step.action.kind)")
        return checkPasses.map { clock.seconds() >= $0 } ?? false
    }

    func revert(_ procedure: Procedure, index: Int) async throws { note("revert procedure \(index)") }

    func observe(through window: Int) async throws -> Timeline {
        var timeline = Timeline(window: .seconds(1), windowCount: windows)
        timeline.add(MetricSeries(query: "errors", values: (0..<windows).map { $0 <= window && $0 < errors.count ? errors[$0] : nil }))
        return timeline
    }

    func finish() async throws -> Timeline {
        note("finish")
        return try await observe(through: windows - 1)
    }

    func teardown() async { note("teardown") }
}

struct InstantClockReader: Sendable {
    let seconds: @Sendable () -> Double
}

struct TargetFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
