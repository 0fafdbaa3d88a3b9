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

    /// The plan with no fault, named `name`, with `sections` after it.
    static func planWithoutFault(name: String, duration: String, adding sections: String = "") -> String {
        plan(duration: duration, faultFor: "1s").replacingOccurrences(of: "name: kube-run", with: "name: \(name)")
            .replacingOccurrences(of: "  faults:\n    - {at: 1s, fault: node-crash, node: member1-eu-1a-1, for: 1s}", with: "  faults: []") + sections
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

    /// What the ingress gateway in front of the cluster answers: `web`'s health page by its Host
    /// header, a status page by path.
    static func ingress(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        switch (request.header("Host"), request.path) {
        case ("web", "/healthz"): .respond(LoopbackHTTPResponse(text: "ok"))
        case ("web", "/"): .respond(LoopbackHTTPResponse(text: "web-0"))
        case (_, "/status"): .respond(LoopbackHTTPResponse(headers: [("Content-Type", "application/json")], text: #"{"status":{"indicator":"major"}}"#))
        default: .respond(LoopbackHTTPResponse(status: 404, text: "no route"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func probesAndTrafficGoThroughTheIngressAndAreScored() async throws {
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            try await LoopbackHTTPServer.with(Self.ingress) { ingress in
                let (dir, plan, kubeconfig, environment) = try Self.setUp(port: server.port, duration: "4s", faultFor: "2s")
                defer { try? FileManager.default.removeItem(at: dir) }
                // No fault: the probes and the load are what is under test.
                try Self.planWithoutFault(name: "kube-probes", duration: "4s", adding: """

                    target: {kubernetes: {ingress: "http://127.0.0.1:\(ingress.port)"}}
                    traffic:
                      - {from: eu/member1/eu-1a, to: web, rate: 50/s, ramp: {from: 10/s, over: 2s}}
                    probes:
                      - {name: web-health, service: web, interval: 1s, timeout: 500ms, expect: {bodyContains: ok}}
                      - {name: status-page, url: "http://127.0.0.1:\(ingress.port)/status", interval: 1s, timeout: 500ms, expect: {json: {path: status.indicator, equals: none}}}
                    slos:
                      - {name: web answers, sli: probeSuccess(web-health), objective: ">= 99%"}
                      - {name: status is green, sli: probeSuccess(status-page), objective: ">= 99%"}
                      - {name: web available, sli: successRatio(web), objective: ">= 99%"}
                    """).write(toFile: plan, atomically: true, encoding: .utf8)
                let arguments = ["run", plan, "--target", "kubernetes", "--kubeconfig", kubeconfig, "--context", "staging"]
                let gateway = "http://127.0.0.1:\(ingress.port)"
                let dry = try await QuakeBinary.runOffPool(arguments + ["--dry-run"], environment: environment)
                #expect(dry.stdout.contains("""
                    traffic and probes (from the schedule's start, for its whole length):
                      load 50/s (constant, from 10/s over 2s) from eu/member1/eu-1a to web: GET \(gateway)/ with Host: web
                      probe web-health every 1s (timeout 500ms): GET \(gateway)/healthz with Host: web; passes on status 200, a body containing "ok"
                      probe status-page every 1s (timeout 500ms): GET \(gateway)/status; passes on status 200, status.indicator = "none"
                    schedule
                    """), "\(dry.stdout)\(dry.stderr)")
                #expect(ingress.requests.isEmpty, "a dry run sends nothing")

                let out = dir.appendingPathComponent("run")
                let run = try await QuakeBinary.runOffPool(arguments + ["--allow-target", "staging", "--quiet", "--out", out.path], environment: environment)
                #expect(run.status == 1, "the status page is red: \(run.stderr)")
                let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any])
                let slos = Dictionary(uniqueKeysWithValues: try #require(record["slos"] as? [[String: Any]]).map { ($0["name"] as? String ?? "", $0) })
                #expect(slos["web answers"]?["verdict"] as? String == "pass" && slos["web answers"]?["value"] as? Double == 100, "\(slos)")
                #expect(slos["status is green"]?["verdict"] as? String == "fail" && slos["status is green"]?["value"] as? Double == 0, "\(slos)")
                #expect(slos["web available"]?["verdict"] as? String == "pass", "\(slos)")
                // The red status page is an event of the run, with the reason its first check failed.
                let events = try #require((record["timeline"] as? [String: Any])?["events"] as? [[String: Any]])
                let failing = events.filter { $0["kind"] as? String == "probe-failing" }
                #expect(failing.count == 1 && failing.first?["subject"] as? String == "status-page" && failing.first?["at"] as? Double == 1
                    && failing.first?["detail"] as? String == #"status.indicator is "major", expected "none""#, "\(events)")
                let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
                #expect(report.contains(#"| 1s | probe status-page failing: status.indicator is "major", expected "none" |"#), "\(report)")
                // Three checks each (at 1, 2 and 3 s); the service probe names its service to the gateway.
                let checks = ingress.requests.filter { $0.header("User-Agent") == "quake-probe" }
                #expect(checks.filter { $0.path == "/healthz" && $0.header("Host") == "web" }.count == 3)
                #expect(checks.filter { $0.path == "/status" }.count == 3)
                // The load went through the gateway too, ramping from 10/s to 50/s over 2 s: 60 + 100 requests.
                #expect(ingress.requests.filter { $0.path == "/" && $0.header("Host") == "web" }.count == 160)

                // Without an ingress nothing reaches web: no load, and its probe does not run, which the run says.
                let text = try String(contentsOfFile: plan, encoding: .utf8)
                try text.replacingOccurrences(of: "target: {kubernetes: {ingress: \"\(gateway)\"}}\n", with: "").write(toFile: plan, atomically: true, encoding: .utf8)
                let unrouted = try await QuakeBinary.runOffPool(arguments + ["--dry-run"], environment: environment)
                #expect(unrouted.stdout.contains("  no load from eu/member1/eu-1a to web: target.kubernetes.ingress is not set, so nothing is sent")
                    && unrouted.stdout.contains("  probe web-health does not run: no URL reaches service web from eu/member1/eu-1a\n"), "\(unrouted.stdout)")
                let bare = dir.appendingPathComponent("bare")
                _ = try await QuakeBinary.runOffPool(arguments + ["--allow-target", "staging", "--quiet", "--out", bare.path], environment: environment)
                let bareRecord = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bare.appendingPathComponent("run.json"))) as? [String: Any])
                #expect((bareRecord["warnings"] as? [String])?.contains("probe web-health did not run: no URL reaches service web from eu/member1/eu-1a") == true, "\(bareRecord["warnings"] ?? "")")
                let bareSLOs = try #require(bareRecord["slos"] as? [[String: Any]]).filter { $0["name"] as? String == "web answers" }
                #expect(bareSLOs.map { $0["verdict"] as? String } == ["inconclusive"])
            }
        }
    }

    /// Two plans in one `quake run`: Ctrl-C during the second still reverts it. (Each run used to
    /// put SIGINT's default action back when it ended, which silenced libdispatch's handler for
    /// good: the second run ignored every signal and kept its taint until its schedule ended.)
    @Test(.timeLimit(.minutes(2)))
    func ctrlCStopsTheSecondOfTwoRunsInOneProcess() async throws {
        let node = LoopbackKubeNode()
        try await LoopbackHTTPServer.with({ node.answer($0) }) { server in
            let (dir, plan, kubeconfig, environment) = try Self.setUp(port: server.port, duration: "60s", faultFor: "50s")
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = dir.appendingPathComponent("first.yaml").path
            try Self.planWithoutFault(name: "kube-first", duration: "1s").write(toFile: first, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("runs")
            let quake = try QuakeBinary.start(["run", first, plan, "--target", "kubernetes", "--kubeconfig", kubeconfig, "--context", "staging", "--allow-target", "staging", "--quiet", "--out", out.path], environment: environment)
            let deadline = Date().addingTimeInterval(30)
            while !node.tainted.withLock({ $0 }) && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(node.tainted.withLock { $0 }, "the second run made its fault")
            kill(quake.processIdentifier, SIGINT)
            let started = ContinuousClock.now
            #expect(await LabLifecycleTests.exitStatus(of: quake) == 4, "a stopped run exits 4")
            #expect(ContinuousClock.now - started < .seconds(20), "stopped at once, not at the end of its schedule")
            #expect(!node.tainted.withLock { $0 }, "reverted")
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
