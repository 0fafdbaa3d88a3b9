import Foundation
import Testing

/// The run history as a user sees it: `quake run` appends, `quake history` lists and exports, and
/// the database survives concurrent and killed writers.
@Suite struct HistoryCommandTests {
    static let plan = RunCommandTests.plan.replacingOccurrences(of: "seed: 9", with: """
        slos:
          - {name: availability, sli: successRatio(svc), objective: ">= 50%"}
        seed: 9
        """)

    /// A temporary folder with the small plan in it, and the history file the test uses.
    struct Sandbox {
        var dir: URL
        var plan: String
        var history: String

        init() throws {
            dir = try QuakeBinary.temporaryDirectory()
            plan = dir.appendingPathComponent("plan.yaml").path
            history = dir.appendingPathComponent("data/history.sqlite").path
            try Data(HistoryCommandTests.plan.utf8).write(to: URL(fileURLWithPath: plan))
        }

        func out(_ name: String) -> String { dir.appendingPathComponent(name).path }

        /// `quake history arguments` against this sandbox's history.
        func history(_ arguments: [String]) async throws -> QuakeBinary.Result {
            try await QuakeBinary.runOffPool(["history"] + arguments + ["--history", history])
        }

        /// The runs `quake history --json` lists.
        func listed(_ arguments: [String] = []) async throws -> [[String: Any]] {
            let result = try await history(arguments + ["--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func everyRunIsListedAsATableAndAsJSON() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let experiment = try await QuakeBinary.runOffPool(["run", "experiments/node-failure.yaml", "--quiet", "--out", box.out("node"), "--history", box.history],
                                             in: ValidateCommandTests.packageRoot)
        #expect(experiment.status == 0, "\(experiment.stderr)")
        for seed in ["1", "2"] {
            let run = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--seed", seed, "--out", box.out("small-\(seed)"), "--history", box.history])
            #expect(run.status == 0, "\(run.stderr)")
        }

        let table = try await box.history([])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("TIME (UTC)") == true, "\(table.stdout)")
        #expect(lines.count == 4, "a header and three runs: \(table.stdout)")
        #expect(lines.filter { $0.contains(" small-node-crash ") && $0.contains(" model ") && $0.contains(" pass ") }.count == 2, "\(table.stdout)")
        #expect(lines.contains { $0.contains(" node-failure ") && $0.contains(" pass ") }, "\(table.stdout)")

        let runs = try await box.listed()
        #expect(runs.count == 3)
        let node = try #require(runs.first { $0["plan"] as? String == "node-failure" })
        #expect(node["target"] as? String == "model")
        #expect(node["verdict"] as? String == "pass")
        #expect((node["score"] as? Double ?? 0) > 0)
        #expect(node["timeToRecoverSeconds"] is Double)
        #expect((node["totalRequests"] as? Int ?? 0) > 0)
        #expect(node["reportFolder"] as? String == box.out("node"))
        #expect(node["planFile"] as? String == ValidateCommandTests.packageRoot.appendingPathComponent("experiments/node-failure.yaml").path)
        #expect((node["slos"] as? [[String: Any]])?.map { $0["name"] as? String } == ["availability", "p99 latency", "recovers", "svc2 pods replaced"])
        #expect(node.keys.contains("errorBudgetBurn") && node.keys.contains("scoreLow"), "every key is written, null where there is no value")
        let ids = runs.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == 3, "every run has its own id: \(ids)")
        #expect(ids.allSatisfy { $0.range(of: #"^[a-z-]+-\d{8}T\d{6}Z-[0-9a-f]{8}$"#, options: .regularExpression) != nil }, "\(ids)")

        #expect(try await box.listed(["small-node-crash"]).count == 2, "the runs of one plan")
        #expect(try await box.listed(["small-node-crash", "--limit", "1"]).first?["id"] as? String == ids.first { $0.hasPrefix("small-node-crash") }, "newest first")
        #expect(try await box.listed(["--since", "1d"]).count == 3)
        #expect(try await box.listed(["--since", "2999-01-01"]).isEmpty)
    }

    /// Each plan of a `quake run` is an entry; a repeated run is one, with its score's interval.
    @Test(.timeLimit(.minutes(3)))
    func eachPlanOfARunIsOneEntryAndARepeatedRunToo() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let other = box.out("other.yaml")
        try Data(Self.plan.replacingOccurrences(of: "name: small-node-crash", with: "name: other-node-crash").utf8).write(to: URL(fileURLWithPath: other))
        let run = try await QuakeBinary.runOffPool(["run", box.plan, other, "--quiet", "--repeat", "3", "--out", box.out("out"), "--history", box.history])
        #expect(run.status == 0, "\(run.stderr)")
        let runs = try await box.listed()
        #expect(Set(runs.compactMap { $0["plan"] as? String }) == ["small-node-crash", "other-node-crash"], "\(runs)")
        #expect(Set(runs.compactMap { $0["reportFolder"] as? String }) == [box.out("out/small-node-crash"), box.out("out/other-node-crash")])
        for entry in runs {
            let score = try #require(entry["score"] as? Double), low = try #require(entry["scoreLow"] as? Double), high = try #require(entry["scoreHigh"] as? Double)
            #expect(low <= high && score >= 0, "the 95 % interval over the three seeds: \(entry)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func badArgumentsAreClearUsageErrors() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let since = try await box.history(["--since", "fortnight"])
        #expect(since.status == 2)
        #expect(since.stderr.contains("--since fortnight: expected a span back from now (14d, 36h, 90m) or a UTC date (2026-12-01)"), "\(since.stderr)")
        let limit = try await box.history(["--limit", "0"])
        #expect(limit.status == 2)
        #expect(limit.stderr.contains("--limit takes a count of 1 or more"))
        let output = try await box.history(["--output", box.out("m.prom")])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--output goes with --export"))

        let empty = try await box.history([])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("no runs yet: \(box.history) does not exist"))
        #expect(!FileManager.default.fileExists(atPath: box.history), "listing creates no history")

        try Data("not a database, just text that is long enough to be read as a header\n".utf8).write(to: URL(fileURLWithPath: box.out("junk.sqlite")))
        let junk = try await QuakeBinary.runOffPool(["history", "--history", box.out("junk.sqlite")])
        #expect(junk.status == 5)
        #expect(junk.stderr.contains(box.out("junk.sqlite") + ": cannot open the run history"), "\(junk.stderr)")
    }

    /// A history that cannot be written costs a warning, never the run: the reports are written
    /// and the exit code is the verdict's.
    @Test(.timeLimit(.minutes(2)))
    func aHistoryThatCannotBeWrittenIsAWarning() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        try Data("a file where the history's folder should be\n".utf8).write(to: URL(fileURLWithPath: box.out("blocked")))
        let run = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--out", box.out("out"), "--history", box.out("blocked/history.sqlite")])
        #expect(run.status == 0, "the verdict decides the exit code: \(run.stderr)")
        #expect(run.stderr.contains("warning: small-node-crash: the run was not added to the history: \(box.out("blocked/history.sqlite")): cannot open the run history"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.out("out/run.json")))
    }

    /// `$QUAKE_HISTORY` names the history when `--history` does not.
    @Test(.timeLimit(.minutes(2)))
    func theEnvironmentNamesTheHistory() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let environment = ["QUAKE_HISTORY": box.history]
        let run = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--out", box.out("out")], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let listed = try await QuakeBinary.runOffPool(["history", "--json"], environment: environment)
        #expect((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any])?.count == 1, "\(listed.stdout)\(listed.stderr)")
    }

    /// Runs ending at the same instant all land: each append waits for the others' transactions.
    @Test(.timeLimit(.minutes(4)))
    func concurrentRunsLoseNothing() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let seeds = 1...4
        let processes = try seeds.map { seed in
            try QuakeBinary.start(["run", box.plan, "--quiet", "--seed", "\(seed)", "--out", box.out("run-\(seed)"), "--history", box.history],
                                  stderr: URL(fileURLWithPath: box.out("stderr-\(seed)")))
        }
        for process in processes { await QuakeBinary.waitOffPool(process) }
        for (seed, process) in zip(seeds, processes) {
            let stderr = (try? String(contentsOfFile: box.out("stderr-\(seed)"), encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "run \(seed): \(stderr)")
            #expect(!stderr.contains("warning"), "run \(seed): \(stderr)")
        }
        let runs = try await box.listed()
        #expect(runs.count == seeds.count, "\(runs.map { $0["id"] ?? "" })")
        #expect(Set(runs.compactMap { $0["reportFolder"] as? String }) == Set(seeds.map { box.out("run-\($0)") }))
    }

    /// A writer killed with SIGKILL inside its transaction leaves the database readable, with every
    /// committed run and nothing of the killed one; the next run appends as usual.
    @Test(.timeLimit(.minutes(3)), .enabled(if: HistoryCommandTests.sqlite3 != nil, "needs the sqlite3 command-line shell"))
    func aKilledWriterLeavesAReadableHistory() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        let first = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--out", box.out("first"), "--history", box.history])
        #expect(first.status == 0, "\(first.stderr)")

        // Another process opens a write transaction, writes a run half-way and is killed.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: try #require(Self.sqlite3))
        writer.arguments = [box.history]
        let input = Pipe(), output = Pipe()
        writer.standardInput = input
        writer.standardOutput = output
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        input.fileHandleForWriting.write(Data("""
            PRAGMA busy_timeout = 30000;
            BEGIN IMMEDIATE;
            INSERT INTO run (id, plan, target, startedAt, wallSeconds, verdict, failedRequests, totalRequests, tags, recordedAt)
              VALUES ('half-written', 'small-node-crash', 'model', '2026-12-07T00:00:00.000Z', 1, 'pass', 0, 0, '[]', '2026-12-07T00:00:00.000Z');
            INSERT INTO slo (runId, position, name, verdict) VALUES ('half-written', 0, 'availability', 'pass');
            SELECT 'inside the transaction: ' || COUNT(*) FROM run WHERE id = 'half-written';

            """.utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("inside the transaction: 1") {
            let chunk = output.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "the writer ended early")
            seen.append(chunk)
        }
        #expect(kill(writer.processIdentifier, SIGKILL) == 0)
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal)

        let runs = try await box.listed()
        #expect(runs.map { $0["reportFolder"] as? String } == [box.out("first")], "the committed run, and nothing of the killed one")
        let second = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--seed", "2", "--out", box.out("second"), "--history", box.history])
        #expect(second.status == 0 && !second.stderr.contains("warning"), "\(second.stderr)")
        #expect(try await box.listed().count == 2)
        let check = Process()
        check.executableURL = writer.executableURL
        check.arguments = [box.history, "PRAGMA integrity_check;"]
        let checked = Pipe()
        check.standardOutput = checked
        try check.run()
        check.waitUntilExit()
        #expect(String(decoding: checked.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ok\n")
    }

    @Test(.timeLimit(.minutes(3)))
    func theLatestRunOfEachPlanIsExportedForPrometheus() async throws {
        let box = try Sandbox()
        defer { try? FileManager.default.removeItem(at: box.dir) }
        for seed in ["1", "2"] {
            let run = try await QuakeBinary.runOffPool(["run", box.plan, "--quiet", "--seed", seed, "--out", box.out("run-\(seed)"), "--history", box.history])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let latest = try #require(try await box.listed(["--limit", "1"]).first)
        let file = box.out("metrics/quake.prom")
        let export = try await box.history(["--export", "prometheus", "--output", file])
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("# TYPE quake_run_score gauge\n"))
        #expect(text.contains("quake_run_verdict{plan=\"small-node-crash\",target=\"model\",verdict=\"pass\"} 1\n"), "\(text)")
        #expect(text.contains("quake_run_verdict{plan=\"small-node-crash\",target=\"model\",verdict=\"fail\"} 0\n"))
        #expect(text.contains("quake_run_failed_requests{plan=\"small-node-crash\",target=\"model\"} \(latest["failedRequests"] as? Int ?? -1)\n"), "the latest run's figures")
        #expect(text.contains("quake_slo_verdict{plan=\"small-node-crash\",target=\"model\",slo=\"availability\",verdict=\"pass\"} 1\n"))
        #expect(text.components(separatedBy: "quake_run_timestamp_seconds{").count == 2, "one sample per plan and target")
        let stdout = try await box.history(["--export", "prometheus"])
        #expect(stdout.stdout == text, "standard output without --output")

        if let promtool = Self.tool("promtool") {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: promtool)
            check.arguments = ["check", "metrics"]
            check.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            let said = Pipe()
            check.standardOutput = said
            check.standardError = said
            try check.run()
            check.waitUntilExit()
            let words = String(decoding: said.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(check.terminationStatus == 0, "promtool check metrics: \(words)")
            #expect(words.isEmpty, "no lint findings: \(words)")
        }
    }

    /// The sqlite3 shell, if installed.
    static let sqlite3 = tool("sqlite3")

    /// The path of command `name` on `$PATH`, if there is one.
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
