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
    func theModelRunsAndSaysTheSLOsWereNotJudged() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try QuakeBinary.run(["run", path])
        #expect(result.status == 3, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.stdout.contains("small-node-crash on the model (seed 9)"))
        #expect(result.stdout.contains("Traffic to svc"))
        #expect(result.stdout.contains("node-not-ready cluster1-a-1"))
        #expect(result.stdout.contains("SLOs not judged"))
    }

    @Test(.timeLimit(.minutes(2)))
    func accessLogHasALinePerSimulatedRequest() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        let result = try QuakeBinary.run(["run", path, "--quiet", "--access-log", log, "--access-log-format", "json"])
        #expect(result.status == 3)
        let count = try #require(result.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }, "stdout: \(result.stdout)")
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: log)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"authority\":\"svc\"") })
    }

    @Test(.timeLimit(.minutes(2)))
    func anotherSeedChangesTheRun() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try QuakeBinary.run(["run", path, "--seed", "1"]), b = try QuakeBinary.run(["run", path, "--seed", "1"]), c = try QuakeBinary.run(["run", path, "--seed", "2"])
        let body = { (r: QuakeBinary.Result) in r.stdout.split(separator: "\n").dropLast().joined(separator: "\n") }
        #expect(body(a) == body(b), "the same seed prints the same run")
        #expect(body(a) != body(c))
    }

    @Test(.timeLimit(.minutes(2)))
    func targetsNotBuiltYetSaySoAndExitFive() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try QuakeBinary.run(["run", path, "--target", "lab"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("the lab target is not part of this build yet"))
    }

    @Test(.timeLimit(.minutes(2)))
    func quietAndVerboseExcludeEachOther() throws {
        let (dir, path) = try writePlan()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try QuakeBinary.run(["run", path, "--quiet", "--verbose"]).status == 2)
    }

    @Test(.timeLimit(.minutes(2)), arguments: try FileManager.default.contentsOfDirectory(atPath: ValidateCommandTests.packageRoot.appendingPathComponent("experiments").path).filter { $0.hasSuffix(".yaml") }.sorted())
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
