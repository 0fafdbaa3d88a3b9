import Foundation
import QuakeCore

/// A one-line progress display on a terminal (standard error), for runs that take a while:
/// shown only when standard error is a terminal and the run has lasted half a second.
struct ProgressLine {
    let enabled: Bool
    let total: TimeSpan
    let started: ContinuousClock.Instant

    init(enabled: Bool, total: TimeSpan, started: ContinuousClock.Instant) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        self.total = total
        self.started = started
    }

    /// Redraws the line for `simulated` time done.
    func update(_ simulated: TimeSpan) {
        guard enabled, ContinuousClock.now - started > .milliseconds(500) else { return }
        let percent = Int(100 * simulated.seconds / max(total.seconds, 1e-9))
        FileHandle.standardError.write(Data("\r  simulating: \(percent)% (\(TimeSpan(seconds: simulated.seconds.rounded())) of \(total))   ".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled, ContinuousClock.now - started > .milliseconds(500) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
