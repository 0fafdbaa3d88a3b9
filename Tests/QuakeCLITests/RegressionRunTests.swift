import Foundation
import Testing

/// A plan made worse on purpose is flagged on its next run: three nights of the talk's node
/// failure (at a lower rate, to be quick), then the same plan with its DestinationRule's
/// outlierDetection removed. The regression is named on the terminal, in report.md and
/// report.html (with the trend of the recent runs), and fails a JUnit test case of its own;
/// `quake compare last~1 last` shows the drop.
@Suite(.timeLimit(.minutes(3))) struct RegressionRunTests {
    @Test func aDestinationRuleWithoutOutlierDetectionIsARegressionOnTheNextRun() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let experiments = ValidateCommandTests.packageRoot.appendingPathComponent("experiments")
        try FileManager.default.copyItem(at: experiments.appendingPathComponent("manifests"), to: dir.appendingPathComponent("manifests"))
        let plan = try String(contentsOf: experiments.appendingPathComponent("node-failure.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "rate: 500/s", with: "rate: 100/s").replacingOccurrences(of: "rate: 200/s", with: "rate: 40/s")
        let planFile = dir.appendingPathComponent("node-failure.yaml")
        try Data(plan.utf8).write(to: planFile)
        let environment = ["QUAKE_HISTORY": dir.appendingPathComponent("history.sqlite").path]
        for night in 1...3 {
            let result = try await QuakeBinary.runOffPool(["run", planFile.path, "--out", dir.appendingPathComponent("night\(night)").path], environment: environment)
            #expect(result.status == 0 && !result.stdout.contains("regression"), "\(result.stdout)\(result.stderr)")
        }
        let second = try String(contentsOf: dir.appendingPathComponent("night2/report.md"), encoding: .utf8)
        #expect(second.contains("## Against recent runs") && second.contains("No regression against the plan's recent runs"))

        let rule = dir.appendingPathComponent("manifests/svc2-destinationrule.yaml")
        let text = try String(contentsOf: rule, encoding: .utf8)
        let withoutDetection = text.replacingOccurrences(of: #"    outlierDetection:\n(      .*\n)+"#, with: "", options: .regularExpression)
        #expect(withoutDetection != text)
        try Data(withoutDetection.utf8).write(to: rule)
        let worse = dir.appendingPathComponent("worse").path
        let result = try await QuakeBinary.runOffPool(["run", planFile.path, "--out", worse], environment: environment)
        #expect(result.stdout.contains("regression (score): score "), "\(result.stdout)\(result.stderr)")

        let report = try String(contentsOfFile: worse + "/report.md", encoding: .utf8)
        #expect(report.contains("- **Regression** (score): score ") && report.contains("Judged against node-failure-"), "\(report)")
        let html = try String(contentsOfFile: worse + "/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Recent runs</h2>") && html.contains("<h2>Against recent runs</h2>"))
        let junit = try String(contentsOfFile: worse + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("name=\"no regression against recent runs\"") && junit.contains("type=\"Regression\""), "\(junit)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: worse + "/run.json"))) as? [String: Any]
        let regressions = record?["regressions"] as? [[String: Any]]
        #expect(regressions?.first?["kind"] as? String == "score" && (regressions?.first?["against"] as? [String])?.count == 3)

        let compared = try await QuakeBinary.runOffPool(["compare", "last~1", "last"], environment: environment)
        #expect(compared.status == 0, "\(compared.stderr)")
        let score = compared.stdout.split(separator: "\n").first { $0.hasPrefix("metric  score") }
        #expect(score?.contains("no interval") == true && score?.contains("-") == true, "\(compared.stdout)")
        let unknown = try await QuakeBinary.runOffPool(["compare", "last~9", "last"], environment: environment)
        #expect(unknown.status == 2 && unknown.stderr.contains("no run last~9: the history holds 4 runs"), "\(unknown.stderr)")
    }
}
