import Foundation
import QuakeCore
import QuakePlan
import QuakeRunner
import QuakeTestSupport
import Testing

@Suite struct RunnerTests {
    static func plan(schedule: String, stopConditions: String = "") throws -> Plan {
        let text = """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: runner}
            topology:
              regions:
                r1:
                  c1: {zones: {a: 2, b: 2}}
                  c2: {zones: {c: 2}}
            services:
              svc: {replicas: 4, serviceTime: 5ms}
            traffic:
              - {from: r1/c1/a, to: svc, rate: 10/s}
            \(stopConditions)
            schedule:
            \(schedule)

            """
        return try PlanLoader.load(text: text, file: "runner.yaml").plan
    }

    static func seconds(_ clock: InstantClock) -> @Sendable () -> Double {
        { let d = InstantClock.Instant(offset: .zero).duration(to: clock.now); return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    }

    @Test func injectsAndRevertsAtTheirTimesThenCleansUp() async throws {
        let plan = try Self.plan(schedule: """
              duration: 60s
              faults:
                - {at: 10s, fault: node-crash, node: c1-a-1, for: 20s}
                - {at: 40s, fault: http-abort, service: svc, status: 503, percentage: 50%}
            """)
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 60)
        let outcome = try await Runner(plan: plan, clock: clock).run(on: target)
        #expect(target.log == ["0.0s prepare", "10.0s inject 0", "30.0s revert 0", "40.0s inject 1", "60.0s revert 1", "60.0s finish", "60.0s teardown"])
        #expect(outcome.abort == nil)
        #expect(outcome.revertFailures.isEmpty)
        let faults = outcome.timeline.events.filter { $0.kind == .faultInjected || $0.kind == .faultReverted }
        #expect(faults.map { "\($0.at.seconds) \($0.kind.rawValue) \($0.subject)" } == [
            "10.0 fault-injected c1-a-1", "30.0 fault-reverted c1-a-1", "40.0 fault-injected svc", "60.0 fault-reverted svc",
        ])
    }

    @Test func aStopConditionRevertsEverythingAtTheEndOfItsWindow() async throws {
        let plan = try Self.plan(
            schedule: """
                  duration: 60s
                  faults:
                    - {at: 5s, fault: node-crash, node: c1-a-1}
                    - {at: 8s, fault: http-abort, service: svc, status: 503, percentage: 50%}
                """,
            stopConditions: """
                stopConditions:
                  - promql("errors") > 10 for 3s
                """)
        let clock = InstantClock()
        // Errors rise from window 9 on: three windows over 10 trip the guard at the end of window 11 (12 s).
        let errors = (0..<60).map { $0 >= 9 ? 50.0 : 0 }
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 60, errors: errors)
        let outcome = try await Runner(plan: plan, clock: clock).run(on: target)
        #expect(outcome.abort?.at == .seconds(12))
        #expect(target.log == ["0.0s prepare", "5.0s inject 0", "8.0s inject 1", "12.0s revert 1", "12.0s revert 0", "12.0s finish", "12.0s teardown"])
    }

    static let canary = """
          duration: 30s
          faults:
            - {at: 2s, fault: node-crash, node: c1-a-1, for: 2s}
          procedures:
            - name: canary
              at: 5s
              steps:
                - {step: shift-traffic, service: svc, cluster: c2, weight: 0%, wait: 2s}
                - {step: check, cluster: c2, timeout: 20s}
                - {step: restore-traffic, service: svc, cluster: c2}
        """

    /// A procedure's steps at their times; a `check` holds the procedure until the target
    /// confirms it (asked right away and then every window), and the later steps move with it.
    /// The procedure is undone with the faults at the end (its index follows the faults').
    @Test func aProcedureWaitsForItsCheckAndIsUndoneAtTheEnd() async throws {
        let plan = try Self.plan(schedule: Self.canary)
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 30, checkPasses: 12)
        let outcome = try await Runner(plan: plan, clock: clock).run(on: target)
        #expect(target.log == ["0.0s prepare", "2.0s inject 0", "4.0s revert 0", "5.0s step shift-traffic (1)", "7.0s step check (1)"]
            + (7...12).map { "\($0).0s confirm check" }
            + ["12.0s step restore-traffic (1)", "30.0s revert procedure 1", "30.0s finish", "30.0s teardown"])
        let steps = outcome.timeline.events.filter { $0.kind == .procedureStep }.map { "\($0.at.seconds) \($0.detail)" }
        #expect(steps == ["5.0 step 1/3: shift-traffic: weight of svc in c2 to 0%", "7.0 step 2/3: check: wait until c2 is Ready (at most 20s)", "12.0 step 3/3: restore-traffic: weight of svc in c2 back"], "\(steps)")
    }

    @Test func aCheckNeverConfirmedLetsTheProcedureGoOnAtItsTimeout() async throws {
        let plan = try Self.plan(schedule: Self.canary.replacingOccurrences(of: "timeout: 20s", with: "timeout: 3s"))
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 30)
        let outcome = try await Runner(plan: plan, clock: clock).run(on: target)
        #expect(target.log.contains("10.0s step restore-traffic (1)"), "\(target.log)")
        #expect(outcome.timeline.events.contains { $0.at == .seconds(10) && $0.detail == "step 2 not confirmed after 3s (check: wait until c2 is Ready (at most 3s)); the procedure goes on" })
    }

    @Test func aStopConditionDuringAProcedureUndoesIt() async throws {
        let plan = try Self.plan(schedule: Self.canary, stopConditions: """
            stopConditions:
              - promql("errors") > 10 for 1s
            """)
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 30, errors: (0..<30).map { $0 == 8 ? 50 : 0 })
        let outcome = try await Runner(plan: plan, clock: clock).run(on: target)
        #expect(outcome.abort?.at == .seconds(9))
        #expect(Array(target.log.suffix(3)) == ["9.0s revert procedure 1", "9.0s finish", "9.0s teardown"], "\(target.log)")
        #expect(outcome.timeline.events.contains { $0.kind == .faultReverted && $0.subject == "canary" && $0.detail == "procedure canary" })
    }

    /// The kill switch, engaged while a fault is active: the run aborts at the end of that window
    /// (reverting the fault), and an injection due before then is never made.
    @Test(arguments: [("5.5s", "5.5s", 5.5), ("20s", "6.0s", 6.0)])
    func theKillSwitchAbortsWithinAWindowAndStopsInjections(second: String, stopsAt: String, at: Double) async throws {
        let plan = try Self.plan(schedule: """
              duration: 60s
              faults:
                - {at: 5s, fault: node-crash, node: c1-a-1}
                - {at: \(second), fault: http-abort, service: svc, status: 503, percentage: 50%}
            """)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-kill-switch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let killSwitch = KillSwitch(registry: RunRegistry(directory: dir))
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 60) { call in
            if call == "inject 0" { try? killSwitch.engage(reason: "incident 42") }
        }
        let outcome = try await Runner(plan: plan, clock: clock, killSwitch: killSwitch).run(on: target)
        #expect(outcome.abort == RunAbort(cause: .killSwitch("incident 42"), at: .seconds(at)))
        #expect(target.log == ["0.0s prepare", "5.0s inject 0", "\(stopsAt) revert 0", "\(stopsAt) finish", "\(stopsAt) teardown"])
        #expect(Scorer.score(plan: plan, timeline: outcome.timeline, ended: outcome.abort).verdict == .aborted)
        #expect(try killSwitch.clear() && killSwitch.reason() == nil)
    }

    @Test func aFailedInjectionIsRevertedAndReported() async throws {
        let plan = try Self.plan(schedule: """
              duration: 30s
              faults:
                - {at: 5s, fault: node-crash, node: c1-a-1}
                - {at: 10s, fault: node-crash, node: c1-b-1}
            """)
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 30, failures: .init(injectIndex: 1))
        await #expect {
            try await Runner(plan: plan, clock: clock).run(on: target)
        } throws: { error in
            let runnerError = error as? RunnerError
            return runnerError?.code == .inject && "\(error)".contains("admin API refused") && "\(error)".contains("c1-b-1")
        }
        // The half-made injection and the earlier one are both reverted, last first.
        #expect(target.log == ["0.0s prepare", "5.0s inject 0", "10.0s inject 1", "10.0s revert 1", "10.0s revert 0", "10.0s teardown"])
    }

    @Test func aRevertThatFailsIsNamedInTheOutcome() async throws {
        let plan = try Self.plan(schedule: """
              duration: 20s
              faults:
                - {at: 5s, fault: node-crash, node: c1-a-1, for: 5s}
            """)
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 20, failures: .init(revertIndex: 0))
        await #expect(throws: RunnerError.self) { try await Runner(plan: plan, clock: clock).run(on: target) }
        // The scheduled revert failed; the cleanup tried once more and the target was torn down.
        #expect(target.log == ["0.0s prepare", "5.0s inject 0", "10.0s revert 0", "10.0s revert 0", "10.0s teardown"])
    }

    @Test func aTargetThatCannotComeUpIsTornDown() async throws {
        let plan = try Self.plan(schedule: "  duration: 10s")
        let clock = InstantClock()
        let target = RecordingTarget(clock: Self.seconds(clock), windows: 10, failures: .init(prepare: true))
        await #expect(throws: RunnerError.self) { try await Runner(plan: plan, clock: clock).run(on: target) }
        #expect(target.log == ["0.0s prepare", "0.0s teardown"])
    }

    @Test func cancellationStillRevertsAndTearsDown() async throws {
        let plan = try Self.plan(schedule: """
              duration: 600s
              faults:
                - {at: 1s, fault: node-crash, node: c1-a-1}
            """)
        let target = RecordingTarget(clock: { 0 }, windows: 600)
        let task = Task { try await Runner(plan: plan, clock: ContinuousClock()).run(on: target) }
        while !target.log.contains("0.0s inject 0") { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(target.log == ["0.0s prepare", "0.0s inject 0", "0.0s revert 0", "0.0s teardown"])
    }
}
