import Foundation
import Testing

/// Ctrl-C during a lab run with a hung node and an HTTP abort active: the first starts the revert,
/// a second during it is ignored with a message, a third exits at once and prints the command that
/// finishes the cleanup from the journal.
@Suite(.serialized) struct InterruptTests {
    /// The lifecycle plan, with frontend requests that take 4 s: its pods finish the requests in
    /// flight before they exit, so the cleanup lasts long enough for the next Ctrl-C to land in it
    /// however busy the machine is (with 1.5 s, a full test run once starved the test's process
    /// long enough for the cleanup to end before its third Ctrl-C).
    static func setUp(basePort: Int) throws -> (dir: URL, plan: String, environment: [String: String]) {
        let (dir, plan, environment) = try LabLifecycleTests.setUp(basePort: basePort)
        let text = try String(contentsOfFile: plan, encoding: .utf8).replacingOccurrences(of: "frontend: {replicas: 2, serviceTime: 2ms", with: "frontend: {replicas: 2, serviceTime: 4000ms")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        return (dir, plan, environment)
    }

    /// Sends `times` SIGINTs, each once quake has answered the one before on standard error (the
    /// file `stderr`): a signal sent while the one before is still pending is the same signal to
    /// the kernel, which a loaded machine can make of any short gap.
    static func interrupt(_ process: Process, times: Int, stderr: URL) async throws {
        let answers = ["stopping — reverting faults", "the signal is ignored so that nothing is left behind"]
        for i in 0..<times {
            if i > 0 {
                let deadline = ContinuousClock.now + .seconds(30)
                while !((try? String(contentsOf: stderr, encoding: .utf8)) ?? "").contains(answers[i - 1]), ContinuousClock.now < deadline, process.isRunning {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            kill(process.processIdentifier, SIGINT)
        }
    }

    /// A lab run with its faults injected, interrupted `times` times: its folder (the caller
    /// removes it), output folder, standard error file, process and environment.
    static func interruptedRun(basePort: Int, times: Int) async throws -> (dir: URL, out: URL, stderr: URL, quake: Process, environment: [String: String]) {
        let (dir, plan, environment) = try Self.setUp(basePort: basePort)
        let out = dir.appendingPathComponent("run"), stderr = dir.appendingPathComponent("stderr.txt")
        do {
            let quake = try await LabLifecycleTests.startFaultedRun(plan: plan, out: out, environment: environment, stderr: stderr)
            try await Self.interrupt(quake, times: times, stderr: stderr)
            return (dir, out, stderr, quake, environment)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aSecondCtrlCDuringTheRevertDoesNotCutTheCleanupShort() async throws {
        let port = 27100
        let (dir, out, stderr, quake, _) = try await Self.interruptedRun(basePort: port, times: 2)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(await LabLifecycleTests.exitStatus(of: quake) == 4, "a stopped run exits 4")
        let printed = try String(contentsOf: stderr, encoding: .utf8)
        // The message for the second is asserted by the next test, which waits for it; here the
        // cleanup may end before quake's handler takes the second signal.
        #expect(printed.contains("stopping — reverting faults"), "\(printed)")
        let after = LabLifecycleTests.processes(under: out, basePort: port)
        #expect(after.live == 0 && after.stopped == 0, "no process left, none stopped: \(after)")
        let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(journal.components(separatedBy: "\"kind\":\"fault-reverted\"").count == 3, "both faults reverted and confirmed")
        #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"cancelled\"}\n"))
    }

    @Test(.timeLimit(.minutes(3)))
    func aThirdCtrlCExitsAtOnceAndNamesTheRollbackThatFinishesTheJob() async throws {
        let port = 27200
        let (dir, out, stderr, quake, environment) = try await Self.interruptedRun(basePort: port, times: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(await LabLifecycleTests.exitStatus(of: quake) == 5, "cut short: the cleanup is not done")
        let printed = try String(contentsOf: stderr, encoding: .utf8)
        let command = try #require(printed.split(separator: "`").first { $0.hasPrefix("quake rollback --run ") }, "\(printed)")
        let rollback = try QuakeBinary.run(command.split(separator: " ").dropFirst().map(String.init), environment: environment)
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        let after = LabLifecycleTests.processes(under: out, basePort: port)
        #expect(after.live == 0 && after.stopped == 0, "no process left, none stopped: \(after)")
        #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
    }
}
