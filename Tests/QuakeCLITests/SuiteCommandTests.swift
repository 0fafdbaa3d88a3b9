import Foundation
import Testing

/// `quake run SUITE.yaml` as a user runs it: plans one after another, the suite's outputs, its
/// exit code.
@Suite struct SuiteCommandTests {
    /// Small model plans, each ending with a known verdict (`broken` does not load).
    static let plans: [String: String] = [
        "pass": slos("- {name: availability, sli: successRatio(svc), objective: \">= 50%\"}"),
        "fail": slos("- {name: strict, sli: \"latency(svc, p99)\", objective: \"<= 1ms\"}"),
        "inconclusive": slos(""),
        "aborted": slos("- {name: availability, sli: successRatio(svc), objective: \">= 50%\"}\nstopConditions:\n  - replicasReady(svc) < 100"),
        "broken": slos("- {name: availability, sli: successRatio(svc), objective: \">= 50%\"}\nsedd: 3"),
    ]

    static func slos(_ list: String) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: PLAN}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 2, b: 2}}
        services:
          svc: {replicas: 4, serviceTime: 2ms}
        traffic:
          - {from: region1/cluster1/a, to: svc, rate: 20/s}
        schedule:
          duration: 2m
          faults:
            - {at: 30s, fault: node-crash, node: cluster1-a-1}
        """ + (list.isEmpty ? "" : "\nslos:\n  " + list)
    }

    /// A folder with every plan of ``plans`` and `suite.yaml` listing `entries` (plan names, each
    /// tagged with its own name).
    static func folder(_ entries: [String], extra: String = "") throws -> URL {
        let dir = try QuakeBinary.temporaryDirectory()
        for (name, text) in plans { try Data(text.replacingOccurrences(of: "PLAN", with: name).utf8).write(to: dir.appendingPathComponent(name + ".yaml")) }
        let list = entries.map { "  - {plan: \($0).yaml, tags: [\($0)]}" }.joined(separator: "\n")
        try Data("apiVersion: quake/v1\nkind: Suite\nmetadata: {name: small}\nschedule: \"0 2 * * *\"\n\(extra)plans:\n\(list)\n".utf8).write(to: dir.appendingPathComponent("suite.yaml"))
        return dir
    }

    static func run(_ dir: URL, _ arguments: [String] = []) async throws -> QuakeBinary.Result {
        try await QuakeBinary.runOffPool(["run", dir.appendingPathComponent("suite.yaml").path, "--out", dir.appendingPathComponent("out").path, "--quiet"] + arguments)
    }

    /// The suite's exit code is the worst plan's: aborted and error outrank fail, which outranks
    /// inconclusive; a plan that does not load is an error (5), not a stop.
    @Test(.timeLimit(.minutes(5)), arguments: [
        (["pass"], 0),
        (["pass", "inconclusive"], 3),
        (["inconclusive", "fail", "pass"], 1),
        (["fail", "aborted"], 4),
        (["aborted", "fail"], 4),
        (["fail", "broken"], 5),
        (["broken", "aborted", "inconclusive"], 5),
    ] as [([String], Int32)])
    func theExitCodeIsTheWorstPlans(entries: [String], status: Int32) async throws {
        let dir = try Self.folder(entries)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await Self.run(dir)
        #expect(result.status == status, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let summary = try String(contentsOf: dir.appendingPathComponent("out/summary.md"), encoding: .utf8)
        for entry in entries {
            // A plan that does not load has no name and, with no target in the suite, none to show.
            let row = entry == "broken" ? "| broken.yaml | — | **error** |" : "| \(entry) | model | **\(entry)** |"
            #expect(summary.contains(row), "\(summary)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aFailingOrBrokenPlanDoesNotStopTheSuite() async throws {
        let dir = try Self.folder(["fail", "broken", "pass"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await Self.run(dir)
        #expect(result.status == 5, "the broken plan is an error; stderr: \(result.stderr)")
        #expect(result.hasPositionedError(in: dir.appendingPathComponent("broken.yaml").path), "the plan's own errors are shown: \(result.stderr)")
        let out = dir.appendingPathComponent("out")
        for plan in ["fail", "pass"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(plan)/run.json").path), "\(plan) ran")
        }
        #expect(result.stdout.contains("pass: PASS"), "the plan after the broken one ran: \(result.stdout)")
        #expect(result.stdout.contains("suite small: ERROR (1 error, 1 fail, 1 pass)"))
        let xml = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"broken.yaml\" tests=\"1\" failures=\"0\" errors=\"1\""))
    }

    /// Each plan of a suite runs through `quake run PLAN`'s path, so each is one run in the history.
    @Test(.timeLimit(.minutes(5)))
    func eachPlanOfASuiteIsARunInTheHistory() async throws {
        let dir = try Self.folder(["pass", "fail", "broken"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let history = dir.appendingPathComponent("history.sqlite").path
        let result = try await Self.run(dir, ["--history", history])
        #expect(result.status == 5, "\(result.stderr)")
        let listed = try await QuakeBinary.runOffPool(["history", "--json", "--history", history])
        #expect(listed.status == 0, "\(listed.stderr)")
        let runs = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(Set(runs.compactMap { $0["plan"] as? String }) == ["pass", "fail"], "the plan that did not load made no run: \(listed.stdout)")
        let pass = try #require(runs.first { $0["plan"] as? String == "pass" })
        #expect(pass["reportFolder"] as? String == dir.appendingPathComponent("out/pass").path)

        // The next night: each plan is judged against the first, and the index charts both runs.
        let again = try await Self.run(dir, ["--history", history, "--out", dir.appendingPathComponent("again").path])
        #expect(again.status == 5, "\(again.stderr)")
        let index = try String(contentsOf: dir.appendingPathComponent("again/report.html"), encoding: .utf8)
        #expect(index.contains("<h2>pass: recent runs</h2>") && index.contains("<h2>fail: recent runs</h2>"), "\(index)")
        #expect(index.contains("<a href=\"../out/fail/report.html\"><circle"), "the failed night links to its report")
        let report = try String(contentsOf: dir.appendingPathComponent("again/pass/report.md"), encoding: .utf8)
        #expect(report.contains("## Against recent runs"))
    }

    @Test(.timeLimit(.minutes(5)))
    func tagsSelectThePlansThatRun() async throws {
        let dir = try Self.folder(["pass", "fail", "inconclusive"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await Self.run(dir, ["--tags", "pass,fail", "--skip-tags", "fail"])
        #expect(result.status == 0, "only pass runs; stderr: \(result.stderr)")
        let ran = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(ran == ["junit.xml", "pass", "report.html", "summary.md"])
        let none = try await Self.run(dir, ["--tags", "nothing"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("--tags and --skip-tags leave none of the suite's 3 plans to run"))
    }

    @Test(.timeLimit(.minutes(2)))
    func suitesAreRefusedWhereTheyCannotRun() async throws {
        let dir = try Self.folder(["pass"], extra: "defaults: {repeat: 0}\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let suite = dir.appendingPathComponent("suite.yaml").path
        let invalid = try await QuakeBinary.runOffPool(["run", suite])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("\(suite):5:20: error: defaults.repeat: 0 is out of range"), "\(invalid.stderr)")
        let mixed = try await QuakeBinary.runOffPool(["run", suite, dir.appendingPathComponent("pass.yaml").path])
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("a suite runs on its own"))
        let tags = try await QuakeBinary.runOffPool(["run", dir.appendingPathComponent("pass.yaml").path, "--tags", "x"])
        #expect(tags.status == 2)
        #expect(tags.stderr.contains("--tags and --skip-tags select plans of a suite"))
    }

    /// `quake validate` checks a suite with every plan it names, so `quake validate experiments/*.yaml`
    /// still checks the folder; `quake explain` says a suite is not a plan.
    @Test(.timeLimit(.minutes(2)))
    func validateChecksASuiteAndItsPlans() async throws {
        let nightly = try await QuakeBinary.runOffPool(["validate", "experiments/nightly.yaml"], in: ValidateCommandTests.packageRoot)
        #expect(nightly.status == 0, "\(nightly.stderr)")
        #expect(nightly.stdout.contains("suite nightly: valid (8 plans, checked below)"))
        #expect(nightly.stdout.contains("cluster-canary-upgrade: valid"))
        let dir = try Self.folder(["pass", "broken"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = try await QuakeBinary.runOffPool(["validate", dir.appendingPathComponent("suite.yaml").path])
        #expect(broken.status == 2)
        #expect(broken.hasPositionedError(in: dir.appendingPathComponent("broken.yaml").path), "the suite's plan is checked: \(broken.stderr)")
        #expect(broken.stdout.contains("pass: valid"))
        let explain = try await QuakeBinary.runOffPool(["explain", "experiments/nightly.yaml"], in: ValidateCommandTests.packageRoot)
        #expect(explain.status == 2)
        #expect(explain.stderr.contains("'Suite' is not a plan kind; expected 'Experiment' (a suite runs with quake run SUITE; see docs/suites.md)"), "\(explain.stderr)")
    }

    /// The done-when of the issue: the nightly suite runs on the model and writes its outputs, and
    /// every link in them leads to a file it wrote.
    @Test(.timeLimit(.minutes(15)))
    func theNightlySuiteRunsOnTheModel() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("nightly")
        let result = try await QuakeBinary.runOffPool(["run", "experiments/nightly.yaml", "--out", out.path, "--quiet"], in: ValidateCommandTests.packageRoot)
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !$0.contains(".") }.sorted()
        #expect(folders.count == 8, "one folder per experiment: \(folders)")
        var verdicts: [String] = []
        for folder in folders {
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(folder)/run.json"))) as? [String: Any]
            verdicts.append(record?["verdict"] as? String ?? "missing")
        }
        let worst = ["error": 5, "aborted": 4, "fail": 1, "inconclusive": 3, "pass": 0]
        let expected = ["error", "aborted", "fail", "inconclusive", "pass"].first(where: verdicts.contains).flatMap { worst[$0] } ?? 5
        #expect(result.status == Int32(expected), "the worst plan's exit code; verdicts \(verdicts); stderr: \(result.stderr)")
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        let index = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        for folder in folders {
            #expect(summary.contains("[report](\(folder)/report.md)"))
            #expect(index.contains("<a href=\"\(folder)/report.html\">report</a>"))
            for file in ["report.md", "report.html"] { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(folder)/\(file)").path)) }
        }
        let schema = ValidateCommandTests.packageRoot.appendingPathComponent("Tests/QuakeReportTests/Fixtures/junit.xsd").path
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lint.arguments = ["xmllint", "--noout", "--schema", schema, out.appendingPathComponent("junit.xml").path]
        lint.standardOutput = FileHandle.nullDevice
        lint.standardError = FileHandle.nullDevice
        try lint.run()
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0, "the combined junit.xml validates")
    }
}
