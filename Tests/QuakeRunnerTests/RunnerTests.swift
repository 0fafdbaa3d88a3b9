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
