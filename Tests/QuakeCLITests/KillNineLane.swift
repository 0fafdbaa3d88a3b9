import Foundation

/// One lane of the kill -9 test: a lab on ports of its own, with a state directory and folder of its
/// own, where runs of one plan are started, killed, rolled back and counted one after another.
struct KillNineLane: Sendable {
    /// The lab's first port: Prometheus; the Envoy's admin port is two above it.
    var basePort: Int
    /// Every run's folder is in it, so a process whose command line mentions it is the lane's.
    var folder: URL
    /// The plan file.
    var plan: String
    /// The faults in the plan's schedule.
    var faults: Int
    /// The test's environment with the lane's state directory.
    var environment: [String: String]

    private var stateDirectory: String { environment["QUAKE_STATE_DIR"] ?? "" }

    /// A lane in `folder` (created) for `planText` on `basePort`.
    init(basePort: Int, folder: URL, planText: String, faults: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let plan = folder.appendingPathComponent("plan.yaml")
        try planText.write(to: plan, atomically: true, encoding: .utf8)
        self.basePort = basePort
        self.folder = folder
        self.plan = plan.path
        self.faults = faults
        self.environment = ["QUAKE_STATE_DIR": folder.appendingPathComponent("state").path]
    }

    private func runArguments(out: URL) -> [String] {
        ["run", plan, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.05", "--quiet", "--out", out.path]
    }

    /// Runs the plan to its end: how long a run lives on this machine now, from launch to exit.
    /// The run must pass (its SLO asks for 1 %) and leave nothing.
    func calibrate() async throws -> (life: Duration, problems: [String]) {
        let started = ContinuousClock.now
        let result = try await QuakeBinary.runOffPool(runArguments(out: folder.appendingPathComponent("calibration")), environment: environment)
        let life = ContinuousClock.now - started
        var problems: [String] = []
        if result.status != 0 { problems.append("lane \(basePort): the run without a kill exited \(result.status): \(result.stderr)") }
        let left = await leftovers()
        if !left.isEmpty { problems.append("lane \(basePort): the run without a kill left \(left)") }
        return (life, problems)
    }

    /// What the lane's lab left: processes mentioning its folder or listening on its pods' ports,
    /// and the fault keys in its Envoy's runtime.
    func leftovers() async -> LabLeftovers {
        let processes = LabLifecycleTests.processes(under: folder, basePort: basePort)
        return LabLeftovers(live: processes.live, stopped: processes.stopped, faultKeys: await EnvoyRuntimeFaults.keys(adminPort: basePort + 2))
    }

    /// Starts run `index`, kills its `quake` with `SIGKILL` `instant` after the launch (unless it
    /// ended before), runs `quake rollback` and `quake status`, and checks that nothing is left and
    /// that rollback said what it did. The run's folder is removed when every check passed.
    func killAndRollBack(run index: Int, at instant: Duration) async throws -> KillNineOutcome {
        let out = folder.appendingPathComponent("run-\(index)")
        let quake = try QuakeBinary.start(runArguments(out: out), environment: environment)
        try await Task.sleep(until: ContinuousClock.now + instant, clock: .continuous)
        if quake.isRunning { kill(quake.processIdentifier, SIGKILL) }
        _ = await LabLifecycleTests.exitStatus(of: quake)

        let journalPath = out.appendingPathComponent("journal.jsonl").path
        let journal = JournalLines(path: journalPath)
        let registered = journal?.runID.map { FileManager.default.fileExists(atPath: "\(stateDirectory)/runs/\($0).json") } ?? false
        let before = await leftovers()
        let rollback = try await QuakeBinary.runOffPool(["rollback"], environment: environment)
        let after = await leftovers()
        let status = try await QuakeBinary.runOffPool(["status"], environment: environment)

        var problems: [String] = []
        if let unreadable = journal?.unreadable, !unreadable.isEmpty { problems.append("unreadable journal lines: \(unreadable)") }
        if rollback.status != 0 { problems.append("rollback exited \(rollback.status): \(rollback.stderr)") }
        if registered, let journal, let id = journal.runID {
            if !rollback.stdout.hasPrefix("\(id): killed ") { problems.append("rollback did not report the run: \(rollback.stdout)") }
            let active = journal.activeFaults
            if !active.isEmpty && !rollback.stdout.contains("faults gone with the lab's Envoys and pods: " + active.joined(separator: ", ")) {
                problems.append("rollback did not name the active faults \(active): \(rollback.stdout)")
            }
            // A run killed between writing its end and leaving the state directory keeps its end.
            let expected = journal.endStatus ?? "rolled-back"
            let ended = JournalLines(path: journalPath)?.endStatus
            if ended != expected { problems.append("the journal ends with \(ended ?? "no run-ended line"), not \(expected)") }
        } else if rollback.stdout != "nothing to roll back\n" {
            problems.append("rollback of an unregistered run said: \(rollback.stdout)")
        }
        if !after.isEmpty { problems.append("after rollback: \(after)") }
        if !status.stdout.hasPrefix("no unfinished run") { problems.append("quake status after rollback: \(status.stdout)\(status.stderr)") }

        if problems.isEmpty {
            try? FileManager.default.removeItem(at: out)
        } else {
            problems = problems.map { "run \(index) (lane \(basePort), killed at \(instant), \(out.path)): \($0)" }
        }
        return KillNineOutcome(index: index, instant: instant, phase: KillPhase(journal, faults: faults), unconfirmedStart: journal?.hasUnconfirmedStart ?? false,
                               before: before, after: after, problems: problems)
    }
}
