import Foundation
import Testing

/// `quake observe` run as a real process: tables and JSON from access logs, the model's own log,
/// malformed lines, usage errors (exit 2) and unreadable files (exit 5).
@Suite struct ObserveCommandTests {
    static let envoyLog = """
        [2024-05-01T12:00:01.002Z] "GET /items HTTP/1.1" 503 URX,UF 0 91 12 - "-" "Mozilla/5.0 "evil" \\ agent" "a1" "checkout:8080" "127.0.0.1:18002"
        [2024-05-01T12:00:00.900Z] "GET / HTTP/1.1" 200 UT 0 10 15000 15000 "-" "curl/8.5.0" "a2" "checkout:8080" "127.0.0.1:18001"
        [2024-05-01T12:00:02.100Z] "- - HTTP/1.1" 400 DPE 0 0 0 - "-" "-" "-" "-" "-"
        not an access log line
        [2024-05-01T12:00:02.200Z] "GET /x HTTP/1.1" 0 DC 0 0 3 - "-" "ünïcødé/1.0" "a3" "checkout:8080" "127.0.0.1:18001"

        """

    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The text of `file`, or "" while it cannot be read.
    static func text(_ file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    /// Waits up to 20 s for `file` to satisfy `done`.
    static func wait(for file: URL, _ done: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !done(Self.text(file)), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test(.timeLimit(.minutes(1)))
    func followPrintsEachWindowAsItSettlesZerosWhenQuietAndTheSummaryOnCtrlC() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("envoy.log"), out = dir.appendingPathComponent("out.txt"), err = dir.appendingPathComponent("err.txt")
        for file in [out, err] { FileManager.default.createFile(atPath: file.path, contents: nil) }
        let quake = Process()
        quake.executableURL = try QuakeBinary.binary()
        quake.arguments = ["observe", "--follow", log.path, "--window", "1s", "--settle", "0s", "--json"]
        quake.environment = QuakeBinary.environment(adding: [:])
        quake.standardOutput = try FileHandle(forWritingTo: out)
        quake.standardError = try FileHandle(forWritingTo: err)
        try quake.run()
        // The log does not exist yet: quake waits for its first lines to tell the format.
        try await Self.wait(for: err) { $0.contains("waiting for the first lines of \(log.path)") }

        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = formatter.string(from: Date())
        let lines = [(200, "-"), (200, "-"), (503, "UF")].map { #"{"code":\#($0.0),"duration_ms":4,"flags":"\#($0.1)","start_time":"\#(now)","upstream_cluster":"outbound|80||web.shop.svc.cluster.local"}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: log)

        // The window of the three lines, then (nothing more is written) windows of nothing.
        try await Self.wait(for: out) { $0.contains(#""requests": 3"#) && $0.components(separatedBy: #""requests": 0"#).count > 2 }
        let rows = Self.text(out).split(separator: "\n").filter { $0.hasPrefix("{\"codes\"") }
        #expect(rows.first?.contains(#""flag_combinations": [{"name": "-", "requests": 2}, {"name": "UF", "requests": 1}]"#) == true, "\(rows)")
        #expect(rows.dropFirst().allSatisfy { $0.contains(#""requests": 0"#) } && rows.count >= 3, "\(rows)")

        kill(quake.processIdentifier, SIGINT)
        quake.waitUntilExit()
        #expect(quake.terminationStatus == 0, "\(Self.text(err))")
        // Then the summary of everything read.
        let summary = try #require(Self.text(out).components(separatedBy: "\n{\n").last)
        #expect(summary.hasPrefix(#""dropped": 0"#) && summary.contains(#""total": {"codes": [{"code": 200, "requests": 2}, {"code": 503, "requests": 1}]"#), "\(summary)")
    }

    @Test(.timeLimit(.minutes(1)))
    func followTakesOneFileAndAValidSettleTime() throws {
        let two = try QuakeBinary.run(["observe", "--follow", "a.log", "b.log"])
        #expect(two.status == 2 && two.stderr.contains("--follow follows one access log; give one file"), "\(two.stderr)")
        let settle = try QuakeBinary.run(["observe", "--follow", "a.log", "--settle", "soon"])
        #expect(settle.status == 2 && settle.stderr.contains("--settle soon: give a length such as 10s or 0s"), "\(settle.stderr)")
    }

    @Test(.timeLimit(.minutes(2)))
    func tablesFromAnEnvoyLog() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write(Self.envoyLog, "access.log", in: dir)
        let result = try QuakeBinary.run(["observe", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("4 requests in 5 lines (envoy)"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("URX,UF"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("\(path):4: does not fit the envoy format"), "stdout: \(result.stdout)")
    }

    @Test(.timeLimit(.minutes(2)))
    func jsonFiguresWithWindows() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write(Self.envoyLog, "access.log", in: dir)
        let result = try QuakeBinary.run(["observe", path, "--json", "--window", "1s"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let total = object?["total"] as? [String: Any]
        #expect(total?["requests"] as? Int == 4)
        #expect((object?["windows"] as? [[String: Any]])?.map { $0["requests"] as? Int } == [1, 1, 2])
        #expect((object?["malformed"] as? [String: Any])?["count"] as? Int == 1)
        let flags = (total?["flags"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(Set(flags) == ["URX", "UF", "UT", "DPE", "DC"])
    }

    @Test(.timeLimit(.minutes(3)))
    func readsTheModelsOwnAccessLog() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // node-failure at a tenth of its rates, next to a copy of its manifests, so the log stays small.
        let experiments = ValidateCommandTests.packageRoot.appendingPathComponent("experiments")
        try FileManager.default.copyItem(at: experiments.appendingPathComponent("manifests"), to: dir.appendingPathComponent("manifests"))
        var plan = try String(contentsOf: experiments.appendingPathComponent("node-failure.yaml"), encoding: .utf8)
        plan = plan.replacingOccurrences(of: "rate: 500/s", with: "rate: 50/s").replacingOccurrences(of: "rate: 200/s", with: "rate: 20/s")
        let planPath = try Self.write(plan, "node-failure-small.yaml", in: dir)
        let log = dir.appendingPathComponent("model.log").path
        let run = try QuakeBinary.run(["run", planPath, "--access-log", log, "--access-log-format", "json"], in: dir)
        let written = run.stdout.split(separator: "\n").first { $0.hasPrefix("access log: ") }.flatMap { Int($0.dropFirst("access log: ".count).prefix { $0.isNumber }) }
        #expect(written ?? 0 > 0, "stdout: \(run.stdout) stderr: \(run.stderr)")
        let result = try QuakeBinary.run(["observe", log, "--json", "--window", "1m"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["total"] as? [String: Any])?["requests"] as? Int == written)
        #expect((object?["malformed"] as? [String: Any])?["count"] as? Int == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func usageErrorsExitTwoAndUnreadableFilesExitFive() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write(Self.envoyLog, "access.log", in: dir)
        let unknown = try QuakeBinary.run(["observe", path, "--format", "nginx"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown access-log format"), "stderr: \(unknown.stderr)")
        let badWindow = try QuakeBinary.run(["observe", path, "--window", "soon"])
        #expect(badWindow.status == 2, "stderr: \(badWindow.stderr)")
        let prose = try Self.write("hello\nworld\n", "notes.txt", in: dir)
        let undetected = try QuakeBinary.run(["observe", prose])
        #expect(undetected.status == 2 && undetected.stderr.contains("cannot tell the access-log format"), "stderr: \(undetected.stderr)")
        let missing = try QuakeBinary.run(["observe", dir.appendingPathComponent("missing.log").path])
        #expect(missing.status == 5 && missing.stderr.contains("cannot open"), "stderr: \(missing.stderr)")
    }

    @Test(.timeLimit(.minutes(2)))
    func givenFormatStringAndPrometheusPage() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let custom = try Self.write("1714564800.250 504 UT 15000 svc\n1714564801.000 200 - 3 svc\n", "custom.log", in: dir)
        let result = try QuakeBinary.run(["observe", custom, "--format", "%START_TIME(%s.%3f)% %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION% %REQ(:AUTHORITY)%"])
        #expect(result.status == 0 && result.stdout.contains("2 requests in 2 lines (given format)"), "stdout: \(result.stdout) stderr: \(result.stderr)")
        let page = try Self.write("# TYPE envoy_cluster_upstream_rq_total counter\nenvoy_cluster_upstream_rq_total{envoy_cluster_name=\"svc\"} 12\n", "stats.txt", in: dir)
        let stats = try QuakeBinary.run(["observe", page])
        #expect(stats.status == 0 && stats.stdout.contains("svc"), "stdout: \(stats.stdout) stderr: \(stats.stderr)")
        let mixed = try QuakeBinary.run(["observe", page, custom, "--window", "1s"])
        #expect(mixed.status == 2, "stderr: \(mixed.stderr)")
    }
}
