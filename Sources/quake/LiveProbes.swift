import QuakeCore
import QuakeObserve
import Synchronization

/// A plan's probes on a live target (lab, kubernetes): checked for real while the run goes, each
/// on its interval from the run's start, and added to the run's Timeline, so that
/// `probeSuccess(name)` scores them as it scores the model's; when each started failing (with
/// the reason) and passing again become events of the run (``ProbeTransitions``).
struct LiveProbes: Sendable {
    let runner: ProbeRunner
    /// Every check counted so far.
    private let checks = CheckLog()

    private final class CheckLog: Sendable {
        let checks = Mutex<[ProbeCheck]>([])
    }

    /// The probes of `plan`; a service probe goes where `serviceRoute` says a client in its
    /// locality reaches the service (none: the probe does not run, and the run says so).
    init(plan: Plan, serviceRoute: (_ service: String, _ from: Locality) -> ServiceRoute?) {
        runner = ProbeRunner(probes: plan.probes, duration: plan.schedule.duration, window: plan.target.window, serviceRoute: serviceRoute)
    }

    /// Checks every probe until the end of the schedule, or until the task is cancelled.
    func run() async {
        let log = checks
        _ = await runner.run(clock: ContinuousClock()) { check in log.checks.withLock { $0.append(check) } }
    }

    /// Adds the probes' checks and their failing and passing events to `timeline`, and a warning
    /// for each probe that could not run.
    func fill(_ timeline: inout Timeline) {
        runner.recorder.fill(&timeline)
        for event in ProbeTransitions.events(checks.checks.withLock { $0 }) { timeline.add(event) }
        timeline.events.sort { $0.at < $1.at }
        for (name, reason) in runner.unresolved {
            timeline.warnings.append("probe \(name) did not run: \(reason)")
        }
    }
}
