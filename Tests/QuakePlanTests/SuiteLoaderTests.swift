import Foundation
import QuakeCore
import QuakePlan
import QuakeTestSupport
import Testing

/// Suite files: what loads, what is refused and where the errors point.
@Suite struct SuiteLoaderTests {
    static let experiments = PlanFixtures.repository.appendingPathComponent("experiments").path

    /// A suite over two experiments, with `lines` added at the end.
    static func suite(_ lines: String = "") -> String {
        """
        apiVersion: quake/v1
        kind: Suite
        metadata: {name: small}
        schedule: "30 3 * * 1-5"
        defaults: {target: model, repeat: 2, tags: [nightly]}
        plans:
          - plan: node-failure.yaml
            seed: 9
            tags: [node]
          - zone-outage.yaml
        \(lines)
        """
    }

    static func load(_ text: String) throws(PlanError) -> Suite {
        try SuiteLoader.load(text: text, file: "suite.yaml", directory: experiments)
    }

    @Test func theNightlySuiteLoadsEveryExperiment() throws {
        let suite = try SuiteLoader.load(path: Self.experiments + "/nightly.yaml")
        #expect(suite.name == "nightly")
        #expect(suite.schedule == "0 2 * * *")
        let plans = try FileManager.default.contentsOfDirectory(atPath: Self.experiments).filter { $0.hasSuffix(".yaml") && $0 != "nightly.yaml" }
        #expect(Set(suite.entries.map(\.plan)) == Set(plans), "every experiment is in the nightly suite")
        #expect(suite.entries.allSatisfy { $0.target == .model && $0.tags.contains("nightly") })
    }

    @Test func defaultsApplyAndEntriesOverrideThem() throws {
        let suite = try Self.load(Self.suite())
        #expect(suite.schedule == "30 3 * * 1-5")
        #expect(suite.entries == [
            Suite.Entry(plan: "node-failure.yaml", path: Self.experiments + "/node-failure.yaml", target: .model, seed: 9, repeat: 2, tags: ["nightly", "node"]),
            Suite.Entry(plan: "zone-outage.yaml", path: Self.experiments + "/zone-outage.yaml", target: .model, seed: nil, repeat: 2, tags: ["nightly"]),
        ])
    }

    /// One broken thing each: the first error's line, column and message.
    @Test(arguments: [
        ("  - plan: node-failure.yaml\n    sed: 3", 12, 5, "unknown key 'sed'; did you mean 'seed'?"),
        ("  - plan: no-such-plan.yaml", 11, 11, "no plan file 'no-such-plan.yaml' (plan paths are relative to the suite's folder"),
        ("  - plan: node-failure.yaml\n    repeat: 0", 12, 13, "0 is out of range"),
        ("  - plan: node-failure.yaml\n    target: modle", 12, 13, "'modle' is not one of 'model', 'lab', 'kubernetes'; did you mean 'model'?"),
        ("  - {seed: 3}", 11, 5, "missing required key 'plan'"),
        ("  - plan: nightly.yaml", 11, 11, "'nightly.yaml' is a suite; a suite lists plans, not other suites"),
        ("  - [node-failure.yaml]", 11, 5, "expected a plan file or a mapping with 'plan'"),
    ])
    func aBrokenEntryIsReportedWhereItIs(lines: String, line: Int, column: Int, message: String) throws {
        let error = try #require(throws: PlanError.self) { try Self.load(Self.suite(lines)) }
        let first = try #require(error.errors.first)
        #expect(error.errors.count == 1, "\(error)")
        #expect((first.file, first.line, first.column) == ("suite.yaml", line, column), "\(first)")
        #expect(first.message.contains(message), "\(first)")
    }

    @Test(arguments: [
        ("schedule: \"30 3 * * 1-5\"", "schedule: nightly", 4, 11, "'nightly' is not a cron schedule"),
        ("kind: Suite", "kind: Suit", 2, 7, "'Suit' is not a suite; expected 'Suite'; did you mean 'Suite'?"),
        ("defaults: {target: model, repeat: 2, tags: [nightly]}", "defaults: {target: model, repeats: 2}", 5, 27, "unknown key 'repeats'; did you mean 'repeat'?"),
        ("metadata: {name: small}", "metadata: {name: two words}", 3, 18, "'two words' is not a usable name"),
        ("metadata: {name: small}", "metdata: {name: small}", 3, 1, "unknown key 'metdata'; did you mean 'metadata'?"),
    ])
    func aBrokenTopIsReportedWhereItIs(original: String, broken: String, line: Int, column: Int, message: String) throws {
        let error = try #require(throws: PlanError.self) { try Self.load(Self.suite().replacingOccurrences(of: original, with: broken)) }
        let first = try #require(error.errors.first)
        #expect((first.line, first.column) == (line, column), "\(error)")
        #expect(first.message.contains(message), "\(error)")
    }

    @Test func everyErrorIsReportedNotOnlyTheFirst() throws {
        let error = try #require(throws: PlanError.self) { try Self.load(Self.suite("  - plan: gone.yaml\n  - plan: zone-outage.yaml\n    seed: -1")) }
        #expect(error.errors.map(\.line) == [11, 13], "\(error)")
    }

    @Test func anEmptyOrMissingSuiteSaysWhatASuiteIs() throws {
        let empty = try #require(throws: PlanError.self) { try Self.load("\n") }
        #expect(empty.errors.first?.message.contains("a suite starts with 'apiVersion: quake/v1' and 'kind: Suite'") == true)
        let missing = try #require(throws: PlanError.self) { try SuiteLoader.load(path: "/nonexistent/suite.yaml") }
        #expect(missing.errors.first?.description == "/nonexistent/suite.yaml:1:1: error: no such file")
        let none = try #require(throws: PlanError.self) { try Self.load(Self.suite().replacingOccurrences(of: "  - plan: node-failure.yaml\n    seed: 9\n    tags: [node]\n  - zone-outage.yaml", with: "  []").replacingOccurrences(of: "plans:\n  []", with: "plans: []")) }
        #expect(none.errors.first?.message.contains("the suite names no plan") == true, "\(none)")
    }

    @Test func onlySuitesAreDetectedAsSuites() {
        #expect(SuiteLoader.isSuite(path: Self.experiments + "/nightly.yaml"))
        #expect(!SuiteLoader.isSuite(path: Self.experiments + "/node-failure.yaml"))
        #expect(!SuiteLoader.isSuite(path: "/nonexistent.yaml"))
    }

    @Test func folderNamesAreDistinct() {
        let names = Suite.folderNames(["a.yaml", "a-2.yaml", "x/a.yaml", "y/a.yml", "b"].map { Suite.Entry(plan: $0, path: $0) })
        #expect(names == ["a", "a-2", "a-3", "a-4", "b"])
    }

    @Test(arguments: [
        ([], [], ["a", "b", "c", "a-2"]),
        (["node"], [], ["a", "a-2"]),
        (["node", "zone"], [], ["a", "b", "a-2"]),
        ([], ["slow"], ["a", "b"]),
        (["node"], ["slow"], ["a"]),
        (["none"], [], []),
    ] as [([String], [String], [String])])
    func tagsSelectPlans(tags: [String], skip: [String], folders: [String]) {
        let all = [
            Suite.Entry(plan: "a.yaml", path: "a.yaml", tags: ["node"]),
            Suite.Entry(plan: "x/b.yaml", path: "x/b.yaml", tags: ["zone"]),
            Suite.Entry(plan: "c.yml", path: "c.yml", tags: ["slow"]),
            Suite.Entry(plan: "a.yaml", path: "a.yaml", seed: 2, tags: ["node", "slow"]),
        ]
        let suite = Suite(name: "s", entries: all)
        let names = Dictionary(uniqueKeysWithValues: zip(all.indices, Suite.folderNames(all)))
        let selected = suite.selected(tags: tags, skipTags: skip)
        #expect(selected.map { entry in names[all.firstIndex(of: entry) ?? 0] ?? "" } == folders)
    }
}
