import Foundation
import QuakeTestSupport
import Testing

/// `quake run --target kubernetes` and `quake rollback` end to end, against a loopback server that
/// answers for one cluster's nodes as the API does (plain HTTP): the node fault's taint made,
/// journaled and reverted; after a `kill -9`, rolled back from the journal.
@Suite(.serialized) struct KubeRunTests {
    static func plan(duration: String, faultFor: String) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kube-run}
        topology:
          regions:
            eu:
              member1: {zones: {eu-1a: 1, eu-1b: 1}}
        services:
          web: {replicas: 2, serviceTime: 1ms}
        schedule:
          duration: \(duration)
          faults:
            - {at: 1s, fault: node-crash, node: member1-eu-1a-1, for: \(faultFor)}
        """
    }

    /// The plan, a kubeconfig for `port` and a state directory, in a fresh folder.
    static func setUp(port: UInt16, duration: String, faultFor: String) throws -> (dir: URL, plan: String, kubeconfig: String, environment: [String: String]) {
        let dir = try QuakeBinary.temporaryDirectory()
        let plan = dir.appendingPathComponent("plan.yaml"), kubeconfig = dir.appendingPathComponent("kubeconfig")
        try Self.plan(duration: duration, faultFor: faultFor).write(to: plan, atomically: true, encoding: .utf8)
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: staging, cluster: {server: "http://127.0.0.1:\(port)"}}]
            users: [{name: ops, user: {token: s3cr3t}}]
            contexts: [{name: staging, context: {cluster: staging, user: ops}}]
            """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        return (dir, plan.path, kubeconfig.path, ["QUAKE_STATE_DIR": dir.appendingPathComponent("state").path])
    }

    @Test(.timeLimit(.minutes(2)))
    func aNodeFaultIsMadeJournaledAndRevertedOnTheCluster() async throws {
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            let (dir, plan, kubeconfig, environment) = try Self.setUp(port: server.port, duration: "4s", faultFor: "2s")
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent("run")
            let run = try await QuakeBinary.runOffPool(["run", plan, "--target", "kubernetes", "--kubeconfig", kubeconfig, "--context", "staging", "--allow-target", "staging", "--quiet", "--out", out.path], environment: environment)
            #expect(run.status == 3, "no SLO: inconclusive; \(run.stderr)")
            #expect(!node.tainted.withLock { $0 }, "reverted")
            let patches = server.requests.filter { $0.method == "PATCH" }
            #expect(patches.count == 2 && patches.allSatisfy { $0.header("Authorization") == "Bearer s3cr3t" })
            let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
            #expect(journal.contains(#""kind":"change-making""#) && journal.contains(#"\"path\":\"/api/v1/nodes/ip-a\""#), "\(journal)")
            #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"completed\"}\n"))
            #expect(!journal.contains("s3cr3t"), "no token in the journal")
            let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            #expect(report.contains("node-crash member1-eu-1a-1") && !report.contains("s3cr3t"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aKilledRunIsRolledBackFromItsJournal() async throws {
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            let (dir, plan, kubeconfig, environment) = try Self.setUp(port: server.port, duration: "60s", faultFor: "50s")
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent("run")
            let quake = try QuakeBinary.start(["run", plan, "--target", "kubernetes", "--kubeconfig", kubeconfig, "--context", "staging", "--allow-target", "staging", "--quiet", "--out", out.path], environment: environment)
            let deadline = Date().addingTimeInterval(30)
            while !node.tainted.withLock({ $0 }) && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(node.tainted.withLock { $0 }, "the fault was made")
            kill(quake.processIdentifier, SIGKILL)
            _ = await LabLifecycleTests.exitStatus(of: quake)
            #expect(node.tainted.withLock { $0 }, "a kill -9 leaves it")
            let status = try QuakeBinary.run(["status"], environment: environment)
            #expect(status.stdout.contains("run of kube-run on kubernetes (staging), crashed or killed") && status.stdout.contains("faults still marked active: node-crash member1-eu-1a-1"), "\(status.stdout)")

            let id = try #require(status.stdout.split(separator: ":").first.map(String.init))
            let down = try QuakeBinary.run(["lab", "down", "--run", id], environment: environment)
            #expect(down.status == 2 && down.stderr.contains("roll it back with `quake rollback --run \(id)`"), "lab down leaves a kubernetes run alone: \(down.stderr)")
            #expect(node.tainted.withLock { $0 })

            let rollback = try await QuakeBinary.runOffPool(["rollback"], environment: environment)
            #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
            #expect(rollback.stdout.contains("/api/v1/nodes/ip-a: removed quake.io/chaos="), "\(rollback.stdout)")
            #expect(!node.tainted.withLock { $0 }, "rolled back")
            let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
            #expect(journal.hasSuffix("\"kind\":\"run-ended\",\"status\":\"rolled-back\"}\n"))
            #expect(try QuakeBinary.run(["status"], environment: environment).stdout.hasPrefix("no unfinished run"))
        }
    }
}
