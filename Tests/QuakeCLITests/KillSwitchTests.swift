import Foundation
import Testing

/// `quake abort`, the machine's kill switch, against a lab run with a hung node and an HTTP abort
/// active: the run aborts within a window, reverts both faults and stops every process; new runs
/// on live targets are refused until `quake abort --clear`; the model is not held.
@Suite(.serialized) struct KillSwitchTests {
    @Test(.timeLimit(.minutes(3)))
    func quakeAbortStopsARunningExperimentAndKeepsNewOnesFromStarting() async throws {
        let port = 27000
        let (dir, plan, environment) = try LabLifecycleTests.setUp(basePort: port)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run")
        let quake = try await LabLifecycleTests.startFaultedRun(plan: plan, out: out, environment: environment)
        #expect(LabLifecycleTests.processes(under: out, basePort: port).stopped >= 1, "the hung node's pods are stopped")

        let engaged = ContinuousClock.now
        let abort = try QuakeBinary.run(["abort", "--reason", "incident 42"], environment: environment)
        #expect(abort.status == 0, "\(abort.stderr)")
        #expect(abort.stdout.contains("kill switch engaged") && abort.stdout.contains("lab-lifecycle"), "names the run it stops: \(abort.stdout)")
        #expect(await LabLifecycleTests.exitStatus(of: quake) == 4, "an aborted run exits 4")
        let took = engaged.duration(to: .now)
        #expect(took < .seconds(15), "aborted within a window, then reverted and torn down: \(took)")

        let after = LabLifecycleTests.processes(under: out, basePort: port)
        #expect(after.live == 0 && after.stopped == 0, "no process left, none stopped: \(after)")
        let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(journal.components(separatedBy: "\"kind\":\"fault-reverted\"").count == 3, "both faults reverted and confirmed")
        #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"aborted\"}\n"))
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("by the kill switch (incident 42 — by "), "the report names the switch and its reason")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any]
        #expect(record?["verdict"] as? String == "aborted")
        #expect((record?["abort"] as? [String: Any])?["cause"] as? String == "kill-switch")

        // Engaged, it refuses new runs on live targets and says how to release it.
        let status = try QuakeBinary.run(["status"], environment: environment)
        #expect(status.stdout.hasPrefix("kill switch engaged: incident 42"), "\(status.stdout)")
        let refused = try QuakeBinary.run(["run", plan, "--target", "lab", "--allow-target", "lab", "--quiet", "--out", dir.appendingPathComponent("again").path], environment: environment)
        #expect(refused.status == 4 && refused.stderr.contains("quake abort --clear"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("again").path), "nothing ran")
        let model = try QuakeBinary.run(["run", plan, "--target", "model", "--quiet", "--out", dir.appendingPathComponent("model").path], environment: environment)
        #expect(model.status != 4, "the model is not held: \(model.stderr)")

        let cleared = try QuakeBinary.run(["abort", "--clear"], environment: environment)
        #expect(cleared.status == 0 && cleared.stdout.hasPrefix("kill switch released"))
        #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
    }
}
