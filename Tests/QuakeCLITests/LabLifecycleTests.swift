import Foundation
import Testing

/// `quake lab up/status/down`, `quake status` and `quake rollback` on real processes: a lab left up
/// on purpose, and a lab run killed with SIGKILL in the middle of its faults.
@Suite(.serialized) struct LabLifecycleTests {
    static func plan(basePort: Int) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: lab-lifecycle}
        target: {lab: {basePort: \(basePort)}}
        topology:
          regions:
            r1:
              c1: {zones: {a: 1, b: 1}}
        services:
          frontend: {replicas: 2, serviceTime: 2ms, calls: [backend]}
          backend: {replicas: 2, serviceTime: 2ms}
        traffic:
          - {from: r1/c1/a, to: frontend, rate: 50/s}
        slos:
          - name: frontend available
            sli: successRatio(frontend)
            objective: ">= 99%"
        schedule:
          duration: 60s
          faults:
            - {at: 2s, fault: node-hang, node: c1-a-1, for: 50s}
            - {at: 2s, fault: http-abort, service: backend, status: 503, percentage: 50%, for: 50s}
        """
    }

    /// A folder with the plan and a state directory of the test's own.
    static func setUp(basePort: Int) throws -> (dir: URL, plan: String, environment: [String: String]) {
        let dir = try QuakeBinary.temporaryDirectory()
        let plan = dir.appendingPathComponent("plan.yaml")
        try Self.plan(basePort: basePort).write(to: plan, atomically: true, encoding: .utf8)
        return (dir, plan.path, ["QUAKE_STATE_DIR": dir.appendingPathComponent("state").path])
    }

    /// The live processes of a lab: its Envoys and Prometheus (their command lines name its
    /// folder) and its pods (they listen from its base port on); and how many are stopped.
    static func processes(under folder: URL, basePort: Int) -> (live: Int, stopped: Int) {
        let pids = Set(LabRunTests.processes(mentioning: folder.path) + LabRunTests.processes(mentioning: "pod --port \(basePort / 100)"))
        let stopped = pids.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(close, offsetBy: 2)] == "T"
        }
        return (pids.count, stopped.count)
    }

    @Test(.timeLimit(.minutes(3)))
    func aLabUpStaysUntilLabDownAndHoldsItsPorts() async throws {
        let port = 28000
        let (dir, plan, environment) = try Self.setUp(basePort: port)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("up")
        let up = try await QuakeBinary.runOffPool(["lab", "up", plan, "--out", out.path], environment: environment)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("Envoy r1/c1/a: http://127.0.0.1:"), "\(up.stdout)")
        let id = try #require(up.stdout.split(separator: "\n").last { $0.hasPrefix("Tear it down with: quake lab down --run ") }?.split(separator: " ").last.map(String.init))
        // Four pods, two Envoys (each under its shell) and Prometheus, still there after `lab up` returned.
        #expect(Self.processes(under: out, basePort: port).live >= 7)

        let status = try QuakeBinary.run(["lab", "status"], environment: environment)
        #expect(status.stdout.contains("\(id): lab up of lab-lifecycle on lab (127.0.0.1:28000), up; 7 of 7 processes alive"), "\(status.stdout)")
        #expect(status.stdout.contains("envoy-c1-a (PID ") && status.stdout.contains("): running"), "\(status.stdout)")

        // Traffic through the lab's Envoy reaches the pods.
        let envoy = try #require(up.stdout.split(separator: "\n").first { $0.contains("Envoy r1/c1/a: ") }?.split(separator: " ").dropFirst(2).first.map(String.init))
        let load = try QuakeBinary.run(["load", envoy + "/", "--header", "Host: frontend", "--rate", "50/s", "--duration", "1s", "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(load.stdout.utf8)) as? [String: Any])
        let statuses = ((summary["total"] as? [String: Any])?["statuses"] as? [[String: Int]]) ?? []
        #expect(statuses.first { $0["status"] == 200 }?["count"] ?? 0 >= 45, "\(load.stdout)")

        let second = try QuakeBinary.run(["run", plan, "--target", "lab", "--allow-target", "lab", "--quiet", "--out", dir.appendingPathComponent("run").path], environment: environment)
        #expect(second.status == 5)
        #expect(second.stderr.contains("is held by an unfinished run") && second.stderr.contains("quake lab down --run \(id)"), "\(second.stderr)")

        let down = try await QuakeBinary.runOffPool(["lab", "down"], environment: environment)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("\(id): killed 7 processes"), "\(down.stdout)")
        #expect(Self.processes(under: out, basePort: port).live == 0, "nothing of the lab is left")
        #expect(try QuakeBinary.run(["lab", "status"], environment: environment).stdout == "no lab is up\n")
        let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"torn-down\"}\n"))
    }

    /// Starts a lab run of the plan in the background and returns once the journal shows both
    /// faults injected: a node hung (SIGSTOP) and an abort in every Envoy's runtime. Its standard
    /// error goes to the file `stderr` if given.
    static func startFaultedRun(plan: String, out: URL, environment: [String: String], stderr: URL? = nil) async throws -> Process {
        let journal = out.appendingPathComponent("journal.jsonl")
        let quake = try QuakeBinary.start(["run", plan, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.1", "--quiet", "--out", out.path], environment: environment, stderr: stderr)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: journal, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\"kind\":\"fault-injected\"").count == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return quake
    }

    /// Waits off the test pool for `process` to exit and returns its status.
    static func exitStatus(of process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func sigtermRevertsEveryFaultAndStopsEveryProcessBeforeExiting() async throws {
        let port = 28200
        let (dir, plan, environment) = try Self.setUp(basePort: port)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run")
        let quake = try await Self.startFaultedRun(plan: plan, out: out, environment: environment)
        #expect(Self.processes(under: out, basePort: port).stopped >= 1, "the hung node's pods are stopped")
        quake.terminate()
        #expect(await Self.exitStatus(of: quake) == 4, "a stopped run exits 4")
        let after = Self.processes(under: out, basePort: port)
        #expect(after.live == 0 && after.stopped == 0, "no process left, none stopped: \(after)")
        let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(journal.components(separatedBy: "\"kind\":\"fault-reverted\"").count == 3, "both faults reverted and confirmed")
        #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"cancelled\"}\n"))
        #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
    }

    @Test(.timeLimit(.minutes(3)))
    func aKilledRunLeavesItsLabToLabDownWhichLeavesNothing() async throws {
        let port = 28100
        let (dir, plan, environment) = try Self.setUp(basePort: port)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("run")
        let quake = try await Self.startFaultedRun(plan: plan, out: out, environment: environment)
        kill(quake.processIdentifier, SIGKILL)
        _ = await Self.exitStatus(of: quake)
        let left = Self.processes(under: out, basePort: port)
        #expect(left.live >= 7 && left.stopped >= 1, "the killed run left its lab, with a node stopped: \(left)")

        let status = try QuakeBinary.run(["status"], environment: environment)
        #expect(status.stdout.contains("run of lab-lifecycle on lab (127.0.0.1:28100), crashed or killed"), "\(status.stdout)")
        #expect(status.stdout.contains("faults still marked active: node-hang c1-a-1, http-abort backend"), "\(status.stdout)")
        let refused = try QuakeBinary.run(["run", plan, "--target", "lab", "--allow-target", "lab", "--quiet", "--out", dir.appendingPathComponent("again").path], environment: environment)
        #expect(refused.status == 5, "a new run waits for the cleanup: \(refused.stderr)")

        let down = try await QuakeBinary.runOffPool(["lab", "down"], environment: environment)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("faults gone with the lab's Envoys and pods: node-hang c1-a-1, http-abort backend"), "\(down.stdout)")
        let after = Self.processes(under: out, basePort: port)
        #expect(after.live == 0 && after.stopped == 0, "no process left, none stopped: \(after)")
        #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
        #expect(try QuakeBinary.run(["rollback"], environment: environment).stdout == "nothing to roll back\n")
    }
}
