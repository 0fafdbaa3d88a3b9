import QuakeCore

/// Runs a plan on a live target, on `clock`: one loop for every wall-clock target.
///
/// The loop brings the target up, performs the schedule's actions at their times, checks the plan's
/// stop conditions and the kill switch at the end of every observation window (and the switch
/// before every injection), and — on normal end, a tripped stop condition, the kill switch, an
/// error or cancellation — reverts every fault still active (last injected first) and tears the
/// target down before it returns or throws.
public struct Runner<C: Clock>: Sendable where C.Duration == Duration {
    /// The plan being run.
    public let plan: Plan
    /// The clock the schedule follows (a continuous clock for real targets).
    public let clock: C
    /// Where each injection is written before it is made and each revert once it is confirmed;
    /// `nil` for a target that changes nothing outside the run.
    public let journal: Journal?
    /// The machine's kill switch; `nil` for a run it does not stop.
    public let killSwitch: KillSwitch?
    /// Called with one line for people at each step (fault injected, stop condition tripped …).
    public let log: @Sendable (String) -> Void

    /// A runner of `plan` on `clock`, journaling its faults to `journal`, stopped by `killSwitch`
    /// and reporting its steps to `log`.
    public init(plan: Plan, clock: C, journal: Journal? = nil, killSwitch: KillSwitch? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.plan = plan
        self.clock = clock
        self.journal = journal
        self.killSwitch = killSwitch
        self.log = log
    }

    /// Runs the plan on `target` and returns what was observed.
    ///
    /// - Throws: ``RunnerError`` when the target failed (after reverting and tearing down), or
    ///   `CancellationError` when the calling task was cancelled (likewise after cleaning up).
    public func run(on target: some LiveTarget) async throws -> RunOutcome {
        do {
            try await target.prepare()
        } catch {
            await target.teardown()
            throw Self.wrap(error, .prepare, "the target could not be brought up")
        }
        var state = RunState(procedures: plan.schedule.procedures.map { ProcedureProgress(at: $0.at) })
        let start = clock.now
        do {
            try await loop(target: target, start: start, state: &state)
        } catch {
            let failures = await revertAll(target: target, state: &state, start: start)
            await target.teardown()
            if !failures.isEmpty { log("could not revert: " + failures.joined(separator: "; ")) }
            throw error
        }
        let failures = await revertAll(target: target, state: &state, start: start)
        let observed: Timeline
        do {
            observed = try await shielded { try await target.finish() }
        } catch {
            await target.teardown()
            throw Self.wrap(error, .observe, "the target could not report what it observed")
        }
        await target.teardown()
        var timeline = observed
        for event in state.events { timeline.add(event) }
        timeline.events.sort { $0.at < $1.at }
        return RunOutcome(timeline: timeline, abort: state.abort, revertFailures: failures)
    }

    /// What the loop has done so far.
    private struct RunState {
        /// Injected faults and started procedures not yet reverted, in the order they began, by
        /// journal index (a procedure's comes after the schedule's faults).
        var active: [Int] = []
        var events: [TimelineEvent] = []
        var abort: RunAbort?
        /// Where each procedure of the schedule is.
        var procedures: [ProcedureProgress]
    }

    /// A procedure's next step, and whether its last step still waits for its effect.
    private struct ProcedureProgress {
        /// The step to start next (or the one awaiting confirmation).
        var step = 0
        /// When that step starts, from the start of the experiment.
        var at: TimeSpan
        /// When the performed step's wait for its effect ends, if it waits.
        var deadline: TimeSpan?
    }

    private func loop(target: some LiveTarget, start: C.Instant, state: inout RunState) async throws {
        let window = plan.target.window
        let windows = Int((plan.schedule.duration.microseconds + window.microseconds - 1) / window.microseconds)
        var pending = RunAction.actions(of: Schedule(duration: plan.schedule.duration, faults: plan.schedule.faults))[...]
        for w in 0..<windows {
            let end = window * Int64(w + 1)
            while true {
                let procedure = nextStep(state)
                if let action = pending.first, action.at < end, action.at <= procedure?.at ?? action.at {
                    pending.removeFirst()
                    try await clock.sleep(until: start.advanced(by: Self.duration(action.at)), tolerance: nil)
                    if case .inject = action.kind, stopsForKillSwitch(start: start, state: &state) { return }
                    try await perform(action, target: target, start: start, state: &state)
                } else if let procedure, procedure.at < end {
                    try await clock.sleep(until: start.advanced(by: Self.duration(procedure.at)), tolerance: nil)
                    if stopsForKillSwitch(start: start, state: &state) { return }
                    try await performStep(of: procedure.index, target: target, start: start, state: &state)
                } else {
                    break
                }
            }
            try await clock.sleep(until: start.advanced(by: Self.duration(min(end, plan.schedule.duration))), tolerance: nil)
            let timeline: Timeline
            do {
                timeline = try await target.observe(through: w)
            } catch {
                throw Self.wrap(error, .observe, "the target could not report window \(w)")
            }
            if let trip = StopConditionCheck.firstTrip(plan: plan, timeline: timeline) {
                state.abort = trip
                log("\(trip) tripped at \(trip.at); reverting every fault")
                return
            }
            if stopsForKillSwitch(start: start, state: &state) { return }
            for p in state.procedures.indices where state.procedures[p].deadline != nil {
                try await confirmStep(of: p, target: target, start: start, state: &state)
            }
        }
    }

    /// The procedure whose next step starts first (the plan's first on a tie), if any starts
    /// before the experiment ends.
    private func nextStep(_ state: RunState) -> (index: Int, at: TimeSpan)? {
        var next: (index: Int, at: TimeSpan)?
        for (p, progress) in state.procedures.enumerated()
        where progress.deadline == nil && progress.step < plan.schedule.procedures[p].steps.count && progress.at < plan.schedule.duration {
            if next == nil || progress.at < next!.at { next = (p, progress.at) }
        }
        return next
    }

    /// Whether the kill switch is engaged, recording the abort if it is.
    private func stopsForKillSwitch(start: C.Instant, state: inout RunState) -> Bool {
        guard let reason = killSwitch?.reason() else { return false }
        let abort = RunAbort(cause: .killSwitch(reason), at: elapsed(since: start))
        state.abort = abort
        log("\(abort) is engaged at \(abort.at); reverting every fault")
        return true
    }

    private func perform(_ action: RunAction, target: some LiveTarget, start: C.Instant, state: inout RunState) async throws {
        if case let .inject(i) = action.kind {
            let fault = plan.schedule.faults[i]
            // Journaled, then counted active, before the call: a half-made injection is reverted
            // too (reverts are idempotent), by this run or by a rollback after a crash.
            try journal?.record(.faultInjecting(index: i, description: fault.fault.description))
            state.active.append(i)
            do {
                try await target.inject(fault, index: i)
            } catch {
                throw Self.wrap(error, .inject, "could not inject \(fault.fault)")
            }
            try journal?.record(.faultInjected(index: i))
            state.events.append(TimelineEvent(at: elapsed(since: start), kind: .faultInjected, subject: fault.fault.target, detail: fault.fault.description))
            log("injected \(fault.fault)")
        } else if case let .revert(i) = action.kind, state.active.contains(i) {
            let fault = plan.schedule.faults[i]
            do {
                try journal?.record(.faultReverting(index: i))
                try await target.revert(fault, index: i)
                try journal?.record(.faultReverted(index: i))
            } catch {
                throw Self.wrap(error, .revert, "could not revert \(fault.fault)")
            }
            state.active.removeAll { $0 == i }
            state.events.append(TimelineEvent(at: elapsed(since: start), kind: .faultReverted, subject: fault.fault.target, detail: fault.fault.description))
            log("reverted \(fault.fault)")
        }
    }

    /// Performs procedure `p`'s next step. A procedure is journaled (and counted active) before
    /// its first step, so whatever its steps change is undone with the faults if the run stops.
    private func performStep(of p: Int, target: some LiveTarget, start: C.Instant, state: inout RunState) async throws {
        let procedure = plan.schedule.procedures[p]
        let s = state.procedures[p].step
        let step = procedure.steps[s]
        let index = plan.schedule.faults.count + p
        if !state.active.contains(index) {
            try journal?.record(.faultInjecting(index: index, description: "procedure \(procedure.name)"))
            state.active.append(index)
        }
        do {
            try await target.perform(step, of: procedure, index: index)
        } catch {
            throw Self.wrap(error, .procedure, "\(procedure.name): step \(s + 1) (\(step.action)) failed")
        }
        state.events.append(TimelineEvent(at: elapsed(since: start), kind: .procedureStep, subject: procedure.name, detail: "step \(s + 1)/\(procedure.steps.count): \(step.action)"))
        log("\(procedure.name): step \(s + 1) (\(step.action))")
        if let timeout = step.action.confirmationTimeout {
            state.procedures[p].deadline = elapsed(since: start) + timeout
            try await confirmStep(of: p, target: target, start: start, state: &state)
        } else {
            advance(p, from: state.procedures[p].at, state: &state)
        }
    }

    /// Asks whether procedure `p`'s awaiting step is confirmed; moves the procedure on when it is,
    /// or when its time is up (noting that it went on unconfirmed).
    private func confirmStep(of p: Int, target: some LiveTarget, start: C.Instant, state: inout RunState) async throws {
        let procedure = plan.schedule.procedures[p]
        let s = state.procedures[p].step
        let step = procedure.steps[s]
        let confirmed: Bool
        do {
            confirmed = try await target.isComplete(step, of: procedure, index: plan.schedule.faults.count + p)
        } catch {
            throw Self.wrap(error, .procedure, "\(procedure.name): step \(s + 1) (\(step.action)) could not be confirmed")
        }
        let now = elapsed(since: start)
        if !confirmed {
            guard let deadline = state.procedures[p].deadline, now >= deadline else { return }
            let detail = "step \(s + 1) not confirmed after \(step.action.confirmationTimeout ?? .zero) (\(step.action)); the procedure goes on"
            state.events.append(TimelineEvent(at: now, kind: .procedureStep, subject: procedure.name, detail: detail))
            log("\(procedure.name): \(detail)")
        }
        advance(p, from: now, state: &state)
    }

    /// Moves procedure `p` past its current step, done at `done`: the next step starts after the
    /// step's own time (an upgrade's) and its wait.
    private func advance(_ p: Int, from done: TimeSpan, state: inout RunState) {
        let step = plan.schedule.procedures[p].steps[state.procedures[p].step]
        state.procedures[p].step += 1
        state.procedures[p].at = done + step.action.ownDuration + step.wait
        state.procedures[p].deadline = nil
    }

    /// Reverts every active fault and procedure, last begun first, even when the calling task is
    /// cancelled; returns a sentence for each revert that failed.
    private func revertAll(target: some LiveTarget, state: inout RunState, start: C.Instant) async -> [String] {
        var failures: [String] = []
        let faults = plan.schedule.faults
        for i in state.active.reversed() {
            let procedure = i < faults.count ? nil : plan.schedule.procedures[i - faults.count]
            let what = procedure.map { "procedure \($0.name)" } ?? faults[i].fault.description
            do {
                try journal?.record(.faultReverting(index: i))
                if let procedure {
                    try await shielded { try await target.revert(procedure, index: i) }
                } else {
                    try await shielded { try await target.revert(faults[i], index: i) }
                }
                try journal?.record(.faultReverted(index: i))
                state.events.append(TimelineEvent(at: elapsed(since: start), kind: .faultReverted, subject: procedure?.name ?? faults[i].fault.target, detail: what))
                log("reverted \(what)")
            } catch {
                failures.append("\(what): \(error)")
            }
        }
        state.active.removeAll()
        return failures
    }

    /// Runs `body` in a task of its own so that a cancelled run still reverts its faults and
    /// collects what it observed (cleanup must not see the caller's cancellation).
    private func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    private func elapsed(since start: C.Instant) -> TimeSpan {
        let d = start.duration(to: clock.now)
        return TimeSpan(microseconds: d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
    }

    private static func duration(_ t: TimeSpan) -> Duration { .microseconds(t.microseconds) }

    private static func wrap(_ error: any Error, _ code: RunnerError.Code, _ message: String) -> any Error {
        if error is CancellationError || error is RunnerError { return error }
        return RunnerError(code: code, message: message, underlying: error)
    }
}
