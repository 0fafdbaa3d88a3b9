import Foundation
import Testing
import Yams

/// deploy/github/nightly.yml: when it runs, what it runs, and what it keeps.
@Suite struct GitHubWorkflowTests {
    static let path = "deploy/github/nightly.yml"

    static func workflow() throws -> Node {
        try #require(try DeployFile.documents(path).first)
    }

    static func steps() throws -> [Node] {
        try #require(try workflow().at("jobs")?.mapping?.first?.value.at("steps")).items
    }

    static func step(using action: String) throws -> Node {
        try #require(try steps().first { $0.at("uses")?.string?.hasPrefix(action + "@") == true }, "a step uses \(action)")
    }

    @Test func itRunsNightlyAtTheSuitesScheduleAndOnEveryPush() throws {
        let on = try #require(try Self.workflow().at("on"))
        #expect(on.at("schedule")?.items.compactMap { $0.at("cron")?.string } == [try DeployFile.nightly().schedule].compactMap { $0 })
        #expect(on.at("push") != nil)
    }

    @Test func itBuildsWithSetupAndRunsTheSuiteOnTheModel() throws {
        let runs = try Self.steps().compactMap { $0.at("run")?.string }
        let setup = try #require(runs.firstIndex { $0.contains("scripts/setup") })
        let suite = try #require(runs.firstIndex { $0.contains("quake run experiments/nightly.yaml") })
        #expect(setup < suite)
        let words = runs[suite].split(separator: " ").map(String.init)
        #expect(words.first?.hasSuffix(".build/release/quake") == true, "the binary scripts/setup builds")
        #expect(words.contains("--target") && words[words.index(after: words.firstIndex(of: "--target") ?? 0)] == "model")
        #expect(runs[suite].contains("--out reports/nightly"))
    }

    @Test func itPublishesTheJUnitAndKeepsTheReportsEvenWhenTheSuiteFails() throws {
        let junit = try Self.step(using: "mikepenz/action-junit-report")
        #expect(junit.at("with", "report_paths")?.string == "reports/nightly/junit.xml")
        #expect(junit.at("if")?.string == "always()")
        let artifact = try Self.step(using: "actions/upload-artifact")
        #expect(artifact.at("with", "path")?.string == "reports/nightly")
        #expect(artifact.at("if")?.string == "always()")
        let permissions = try Self.workflow().at("permissions")
        #expect(permissions?.at("checks")?.string == "write", "the JUnit step publishes a check run")
    }

    @Test func itKeepsTheHistoryFileInTheCache() throws {
        let history = "~/.local/share/quake/history.sqlite"
        let restore = try Self.step(using: "actions/cache/restore")
        let save = try Self.step(using: "actions/cache/save")
        #expect(restore.at("with", "path")?.string == history)
        #expect(save.at("with", "path")?.string == history)
        #expect(save.at("if")?.string == "always()", "a failed night is history too")
        let key = try #require(save.at("with", "key")?.string)
        #expect(key.contains("${{ github.run_id }}"), "a cache entry cannot be overwritten, so each run saves its own")
        #expect(restore.at("with", "restore-keys")?.string?.split(separator: "\n").contains { key.hasPrefix($0) } == true, "the next run restores the newest")
        #expect(try Self.workflow().at("jobs")?.mapping?.first?.value.at("env", "QUAKE_HISTORY") == nil, "quake's default is the cached path")
        let order = try Self.steps().map { $0.at("uses")?.string ?? $0.at("run")?.string ?? "" }
        let run = try #require(order.firstIndex { $0.contains("quake run") })
        #expect(order.firstIndex { $0.hasPrefix("actions/cache/restore") } ?? .max < run && run < order.firstIndex { $0.hasPrefix("actions/cache/save") } ?? -1)
    }
}
