import Foundation
import Testing

/// `quake run` and `quake explain` as a user runs them.
@Suite struct RunCommandTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: small-node-crash}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 2, b: 2}}
        services:
          svc: {replicas: 4, serviceTime: 2ms}
        traffic:
          - {from: region1/cluster1/a, to: svc, rate: 20/s}
        schedule:
          duration: 3m
          faults:
            - {at: 30s, fault: node-crash, node: cluster1-a-1}
        seed: 9
        """

    func writePlan(_ text: String = plan) throws -> (URL, String) {
        let dir = try QuakeBinary.temporaryDirectory()
        let path = dir.appendingPathComponent("plan.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    @Test(.timeLimit(.minutes(2)))
    func theModelRunsJudgesAndWritesTheFourReports() throws {
        let (dir, path) = try writePlan(Self.plan.replacingOccurrences(of: "seed: 9", with: """
            slos:
              - {name: availability, sli: successRatio(svc), objective: ">= 50%"}
              - {name: strict, sli: "latency(svc, p99)", objective: "<= 1ms"}
            seed: 9
            """))
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let result = try QuakeBinary.run(["run", path, "--out", out, "--junit", dir.appendingPathComponent("all.xml").path])
        #expect(result.status == 1, "an SLO fails: exit 1; stderr: \(result.stderr)")
        #expect(result.stdout.contains("small-node-crash on the model (seed 9)"))
        #expect(result.stdout.contains("Traffic to svc"))
        #expect(result.stdout.contains("node-not-ready cluster1-a-1"))
        #expect(result.stdout.contains("small-node-crash: FAIL"))
        for file in ["report.md", "report.html", "junit.xml", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) written")
        }
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json"))) as? [String: Any]
        #expect(record?["schemaVersion"] as? Int == 1)
        #expect(record?["verdict"] as? String == "fail")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("all.xml").path))
        let again = try QuakeBinary.run(["report", out + "/run.json", "--out", dir.appendingPathComponent("again").path])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let first = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        let second = try String(contentsOfFile: dir.appendingPathComponent("again/report.md").path, encoding: .utf8)
        #expect(first == second, "quake report renders the same report from the record")
    }

    /// A real target runs only when named by --allow-target and inside the plan's time windows;
    /// a refused run starts nothing and names the flag or the windows.
    @Test(.timeLimit(.minutes(2)))
    func aRealTargetRunsOnlyWhenAllowedAndInsideItsWindows() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let unnamed = try QuakeBinary.run(["run", path, "--target", "lab", "--out", out])
        #expect(unnamed.status == 2 && unnamed.stderr.contains("add --allow-target lab"), "\(unnamed.stderr)")
        let wrong = try QuakeBinary.run(["run", path, "--target", "lab", "--allow-target", "staging", "--out", out])
        #expect(wrong.status == 2 && wrong.stderr.contains("add --allow-target lab"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing ran")

        // A window that closed a minute ago (or opens in an hour) refuses the 3-minute plan.
        let calendar = Calendar(identifier: .gregorian)
        let now = calendar.dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        let opens = ((now.hour ?? 0) + 1) % 24
        let (later, laterPath) = try writePlan(Self.plan.replacingOccurrences(of: "seed: 9", with: """
            safety: {allowedWindows: ["\(String(format: "%02d:00-%02d:30", opens, opens))"]}
            seed: 9
            """))
        defer { try? FileManager.default.removeItem(at: later) }
        let closed = try QuakeBinary.run(["run", laterPath, "--target", "lab", "--allow-target", "lab", "--out", out])
        #expect(closed.status == 2 && closed.stderr.contains("does not fit in safety.allowedWindows: daily \(String(format: "%02d:00-%02d:30", opens, opens)) UTC"), "\(closed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing ran")
        let model = try QuakeBinary.run(["run", laterPath, "--quiet", "--out", out])
        #expect(model.status == 3, "the model needs neither: \(model.stderr)")
    }

    /// --dry-run prints every action and changes nothing: no folder, no journal, no process,
    /// and neither --allow-target nor the kill switch is needed to look.
    @Test(.timeLimit(.minutes(2)))
    func aDryRunPrintsTheActionsAndChangesNothing() throws {
        let (dir, path) = try writePlan(Self.plan.replacingOccurrences(of: "seed: 9", with: """
            probes:
              - {name: svc-health, service: svc, interval: 5s, expect: {bodyContains: ok}}
            seed: 9
            """))
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path, state = dir.appendingPathComponent("state").path
        let environment = ["QUAKE_STATE_DIR": state]
        let model = try QuakeBinary.run(["run", path, "--dry-run", "--out", out], environment: environment)
        #expect(model.status == 0, "\(model.stderr)")
        #expect(model.stdout.contains("small-node-crash on the model target (dry run: nothing is started or changed)\n"))
        #expect(model.stdout.contains("  30s inject node-crash cluster1-a-1\n"))

        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: state + "/ABORT", contents: Data("incident 7\n".utf8)))
        let lab = try QuakeBinary.run(["run", path, "--target", "lab", "--time-scale", "0.1", "--dry-run", "--out", out], environment: environment)
        #expect(lab.status == 0, "\(lab.stderr)")
        #expect(lab.stdout.contains("a real run needs --allow-target lab"))
        #expect(lab.stdout.contains("journal \(out)/journal.jsonl"))
        #expect(lab.stdout.contains("  30s inject node-crash cluster1-a-1:\n    SIGKILL the pods of cluster1-a-1: svc-cluster1-"), "\(lab.stdout)")
        #expect(lab.stdout.contains("control plane: start pod svc-cluster1-"), "the replacement the model's control plane decides")
        // The load and the probe, each through the Envoy of its locality, before the schedule.
        let traffic = try #require(lab.stdout.components(separatedBy: "traffic and probes (from the schedule's start, for its whole length):\n").last?
            .components(separatedBy: "schedule and control plane").first, "\(lab.stdout)")
        let envoy = try #require(lab.stdout.split(separator: "\n").first { $0.contains("start envoy-cluster1-a") }?.components(separatedBy: "listener ").last?.split(separator: ",").first)
        #expect(traffic == "  load 20/s (constant) from region1/cluster1/a to svc: GET \(envoy)/ with Host: svc\n"
            + "  probe svc-health every 5s (timeout 1s): GET \(envoy)/healthz with Host: svc; passes on status 200, a body containing \"ok\"\n", "\(traffic)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state) == ["ABORT"], "no run registered")
        #expect(LabRunTests.processes(mentioning: out).isEmpty, "nothing started")
    }

    @Test(.timeLimit(.minutes(2)))
    func aPlanWithoutSLOsIsInconclusive() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try QuakeBinary.run(["run", path, "--quiet", "--out", dir.appendingPathComponent("out").path])
        #expect(result.status == 3, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.stdout.contains("small-node-crash: INCONCLUSIVE"))
    }

    @Test(.timeLimit(.minutes(2)))
    func accessLogHasALinePerSimulatedRequest() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        let result = try QuakeBinary.run(["run", path, "--quiet", "--access-log", log, "--access-log-format", "json", "--out", dir.appendingPathComponent("out").path])
        #expect(result.status == 3)
        let summary = try #require(result.stdout.split(separator: "\n").first { $0.contains("requests simulated") })
        let count = try #require(summary.split(separator: " ").dropFirst().first.flatMap { Int($0) }, "stdout: \(result.stdout)")
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: log)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"authority\":\"svc\"") })
    }

    @Test(.timeLimit(.minutes(2)))
    func anotherSeedChangesTheRun() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let a = try QuakeBinary.run(["run", path, "--seed", "1", "--out", out]), b = try QuakeBinary.run(["run", path, "--seed", "1", "--out", out])
        let c = try QuakeBinary.run(["run", path, "--seed", "2", "--out", out])
        let body = { (r: QuakeBinary.Result) in r.stdout.split(separator: "\n").filter { !$0.contains("simulated and judged in") }.joined(separator: "\n") }
        #expect(body(a) == body(b), "the same seed prints the same run")
        #expect(body(a) != body(c))
    }

    /// Without a kubeconfig the kubernetes target says where it looked and exits 5, having
    /// started nothing.
    @Test(.timeLimit(.minutes(2)))
    func theKubernetesTargetWithoutAKubeconfigSaysWhereItLooked() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try QuakeBinary.run(["run", path, "--target", "kubernetes", "--allow-target", "kubernetes", "--out", dir.appendingPathComponent("out").path],
                                         environment: ["HOME": dir.path, "KUBECONFIG": "", "QUAKE_STATE_DIR": dir.appendingPathComponent("state").path])
        #expect(result.status == 5)
        #expect(result.stderr.contains("no kubeconfig: \(dir.path)/.kube/config does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/journal.jsonl").path))
    }

    @Test(.timeLimit(.minutes(2)))
    func quietAndVerboseExcludeEachOther() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try QuakeBinary.run(["run", path, "--quiet", "--verbose"]).status == 2)
    }

    /// The plans of `experiments/`, leaving out its suites (`kind: Suite`).
    static let experimentPlans = ((try? FileManager.default.contentsOfDirectory(atPath: ValidateCommandTests.packageRoot.appendingPathComponent("experiments").path)) ?? [])
        .filter { name in
            let text = (try? String(contentsOf: ValidateCommandTests.packageRoot.appendingPathComponent("experiments/\(name)"), encoding: .utf8)) ?? ""
            return name.hasSuffix(".yaml") && !text.split(separator: "\n").contains("kind: Suite")
        }.sorted()

    @Test(.timeLimit(.minutes(2)), arguments: experimentPlans)
    func everyExperimentExplains(_ name: String) throws {
        let result = try QuakeBinary.run(["explain", "experiments/\(name)"], in: ValidateCommandTests.packageRoot)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Istio priorities per client locality"))
        #expect(result.stdout.contains("Fault schedule"))
    }

    @Test(.timeLimit(.minutes(2)))
    func everyExperimentValidates() throws {
        let dir = ValidateCommandTests.packageRoot.appendingPathComponent("experiments")
        let plans = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.map { "experiments/\($0)" }
        #expect(plans.count >= 8)
        let result = try QuakeBinary.run(["validate"] + plans, in: ValidateCommandTests.packageRoot)
        #expect(result.status == 0, "stderr: \(result.stderr)")
    }
}
