import Foundation
import QuakeReport
import Testing

/// junit.xml against the common JUnit layout (Fixtures/junit.xsd), checked by xmllint.
@Suite struct JUnitReportTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/junit.xsd").path

    static func sample() throws -> RunRecord {
        try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: SampleReportTests.folder.appendingPathComponent("run.json")))
    }

    /// Runs xmllint on `xml`; returns its exit status and messages.
    static func validate(_ xml: String) throws -> (Int32, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-junit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("junit.xml"), messages = dir.appendingPathComponent("out")
        try Data(xml.utf8).write(to: file)
        _ = FileManager.default.createFile(atPath: messages.path, contents: nil)
        let handle = try FileHandle(forWritingTo: messages)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--schema", schema, file.path]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: messages), as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(1)))
    func everyVerdictValidates() throws {
        var failed = try Self.sample()
        failed.plan = "odd <name> & \"quotes\" \u{1}"
        failed.slos[0].verdict = "fail"
        failed.slos[0].reason = "99.1% breaks >= 99.5% <at> 5m & more"
        failed.slos[1].verdict = "inconclusive"
        var aborted = try Self.sample()
        aborted.plan = "aborted-plan"
        aborted.abort = RunRecord.Abort(condition: "successRatio(frontend) < 80% for 30s", at: 312)
        var killed = try Self.sample()
        killed.plan = "killed-plan"
        killed.abort = RunRecord.Abort(cause: RunRecord.Abort.killSwitch, condition: "incident <42>", at: 20)
        let xml = JUnitReport.render([try Self.sample(), failed, aborted, killed])
        let (status, messages) = try Self.validate(xml)
        #expect(status == 0, "\(messages)")
        #expect(xml.contains("<failure message=\"99.1% breaks &gt;= 99.5% &lt;at&gt; 5m &amp; more\" type=\"SLO\">"))
        #expect(xml.contains("<skipped message=\"inconclusive: "))
        #expect(xml.contains("name=\"run\"") && xml.contains("<error message=\"aborted at 312.0 s by the stop condition `successRatio(frontend) &lt; 80% for 30s`\" type=\"StopCondition\""))
        #expect(xml.contains("<error message=\"aborted at 20.0 s by the kill switch (incident &lt;42&gt;)\" type=\"KillSwitch\""))
        #expect(xml.contains("testsuite name=\"odd &lt;name&gt; &amp; &quot;quotes&quot; \""), "control characters are dropped, the rest escaped")
    }

    @Test(.timeLimit(.minutes(1)))
    func countsAddUp() throws {
        var failed = try Self.sample()
        failed.slos[0].verdict = "fail"
        let xml = JUnitReport.render([failed])
        #expect(xml.contains("tests=\"\(failed.slos.count)\" failures=\"1\" errors=\"0\" skipped=\"0\""))
    }

    @Test(.timeLimit(.minutes(1)))
    func aBrokenFileIsRejected() throws {
        let (status, _) = try Self.validate("<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>")
        #expect(status != 0, "the schema is strict enough to refuse a testcase without a name")
    }

    /// A record written before the kill switch existed has no `cause`: its abort was a stop condition.
    @Test func anAbortWithoutACauseWasAStopCondition() throws {
        let old = try JSONDecoder().decode(RunRecord.Abort.self, from: Data(#"{"condition": "successRatio(svc) < 80%", "at": 12}"#.utf8))
        #expect(old == RunRecord.Abort(cause: RunRecord.Abort.stopCondition, condition: "successRatio(svc) < 80%", at: 12))
        #expect(old.description == "the stop condition `successRatio(svc) < 80%`")
    }
}
