import Foundation
import QuakeTestSupport
import QuakePlan
import Testing

/// What loading one malformed fixture must report first.
///
/// Every fixture in `Fixtures/malformed/` is `Fixtures/base.yaml` (a small valid plan) with exactly
/// one thing broken, plus a `# malformed:` comment on line 1 saying what. Lines and columns are
/// 1-based and point at the broken spot.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    /// File name without `.yaml`.
    var fixture: String
    var line: Int
    var column: Int
    /// A substring of the first error's message.
    var message: String
    /// The first error's key path, where one is meaningful.
    var key: String?
    /// How many errors the one broken thing should give.
    var errors: Int
    /// A loader bug that makes the position or message expectation fail today; the expectation states what it should be.
    var bug: String?
    /// A loader bug that adds errors beyond `errors` today (duplicates, cascades).
    var extraErrorsBug: String?

    init(_ fixture: String, _ line: Int, _ column: Int, _ message: String, key: String? = nil, errors: Int = 1, bug: String? = nil, extraErrorsBug: String? = nil) {
        self.fixture = fixture
        self.line = line
        self.column = column
        self.message = message
        self.key = key
        self.errors = errors
        self.bug = bug
        self.extraErrorsBug = extraErrorsBug
    }

    var testDescription: String { fixture }
}

enum MalformedFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let malformed = directory.appendingPathComponent("malformed")

    static func path(_ fixture: String) -> String { malformed.appendingPathComponent(fixture + ".yaml").path }

    static let cases: [MalformedCase] = [
        // Empty and non-plan files
        MalformedCase("empty", 1, 1, "the file is empty"),
        MalformedCase("whitespace-only", 1, 1, "the file is empty"),
        MalformedCase("comments-only", 1, 1, "holds no YAML document"),
        MalformedCase("type-root-list", 2, 1, "expected a mapping (a Quake plan)", key: ""),
        // Header
        MalformedCase("header-api-version", 2, 13, "'quake/v2' is not supported", key: "apiVersion"),
        MalformedCase("header-kind", 3, 7, "did you mean 'Experiment'?", key: "kind"),
        MalformedCase("encoding-bom-api-version", 1, 13, "'quake/v2' is not supported", key: "apiVersion"),
        // Missing and duplicate keys
        MalformedCase("missing-schedule", 2, 1, "missing required key 'schedule'", key: "schedule"),
        MalformedCase("missing-metadata-name", 5, 3, "missing required key 'name'", key: "metadata"),
        MalformedCase("services-missing-replicas", 33, 5, "missing required key 'replicas'", key: "services.svc2"),
        MalformedCase("duplicate-key", 34, 5, "is given twice", key: "replicas"),
        MalformedCase("duplicate-key-top", 113, 1, "is given twice", key: "seed"),
        // Wrong types
        MalformedCase("type-replicas-string", 29, 15, "expected a whole number, found 'four'", key: "services.frontend.replicas"),
        MalformedCase("type-regions-list", 14, 5, "expected a mapping of regions, found a list", key: "topology.regions"),
        MalformedCase("type-faults-mapping", 94, 5, "expected a list of faults, found a mapping", key: "schedule.faults"),
        MalformedCase("type-metadata-scalar", 4, 11, "expected a mapping", key: "metadata"),
        MalformedCase("type-seed-text", 112, 7, "expected a whole number, found 'forty-two'", key: "seed"),
        MalformedCase("type-calls-scalar", 31, 12, "expected a list of text items, found 'svc2'", key: "services.frontend.calls"),
        MalformedCase("type-bool-text", 90, 21, "expected true or false, found 'sometimes'", key: "safety.allowWholeRegion"),
        MalformedCase("type-nodes-decimal", 21, 22, "expected a whole number, found '2.5'", key: "topology.regions.region1.cluster2.zones.c.nodes"),
        MalformedCase("type-servicetime-list", 34, 18, "found a list", key: "services.svc2.serviceTime"),
        MalformedCase("type-slos-mapping", 77, 3, "expected a list of SLOs, found a mapping", key: "slos"),
        // Unknown keys, with "did you mean"
        MalformedCase("unknown-key-top", 85, 1, "did you mean 'stopConditions'?", key: "stopConditons"),
        MalformedCase("unknown-key-required-section", 91, 1, "did you mean 'schedule'?", key: "schedul"),
        MalformedCase("unknown-key-service", 35, 5, "did you mean 'errorRate'?", key: "services.svc2.errorRat"),
        MalformedCase("unknown-key-fault", 97, 7, "did you mean 'for'?", key: "schedule.faults[0].fro"),
        MalformedCase("unknown-key-zone", 17, 25, "did you mean 'podCapacity'?", key: "topology.regions.region1.cluster1.zones.a.podCapacty"),
        MalformedCase("unknown-key-latency", 11, 5, "did you mean 'crossZone'?", key: "topology.latency.crossZon"),
        MalformedCase("unknown-key-slo", 80, 5, "did you mean 'window'?", key: "slos[0].windw"),
        MalformedCase("unknown-key-traffic", 74, 5, "did you mean 'arrival'?", key: "traffic[0].arival"),
        MalformedCase("unknown-key-safety", 89, 3, "did you mean 'maxZonesDown'?", key: "safety.maxZoneDown"),
        MalformedCase("unknown-key-controlplane", 67, 3, "did you mean 'kubernetes'?", key: "controlPlane.kubernets"),
        MalformedCase("unknown-key-step", 105, 11, "did you mean 'weight'?", key: "schedule.procedures[0].steps[0].wieght"),
        // Durations
        MalformedCase("duration-words", 97, 12, "'5 minutes' is not a duration", key: "schedule.faults[0].for"),
        MalformedCase("duration-no-unit", 94, 11, "a duration needs a unit", key: "schedule.faults[0].at"),
        MalformedCase("duration-negative", 97, 12, "a duration cannot be negative", key: "schedule.faults[0].for"),
        MalformedCase("duration-schedule-no-unit", 92, 13, "a duration needs a unit", key: "schedule.duration"),
        MalformedCase("duration-too-long", 92, 13, "an experiment lasts at most 7 days", key: "schedule.duration"),
        MalformedCase("duration-window-list", 80, 13, "expected a duration", key: "slos[0].window"),
        // Rates, percentages, ranges
        MalformedCase("rate-no-unit", 73, 11, "expected a rate like 500/s", key: "traffic[0].rate"),
        MalformedCase("rate-bad-unit", 73, 11, "found '500/day'", key: "traffic[0].rate"),
        MalformedCase("percentage-no-sign", 35, 16, "write percentages with a % sign: 0.05%", key: "services.svc2.errorRate"),
        MalformedCase("percentage-out-of-range", 35, 16, "150% is out of range", key: "services.svc2.errorRate"),
        MalformedCase("range-port", 36, 11, "70000 is out of range; expected 1…65535", key: "services.svc2.port"),
        MalformedCase("range-replicas-negative", 33, 15, "-1 is out of range", key: "services.svc2.replicas"),
        MalformedCase("range-replicas-huge", 33, 15, "out of range", key: "services.svc2.replicas"),
        MalformedCase("range-nodes-zero", 25, 22, "0 is out of range; expected 1…10000", key: "topology.regions.region2.cluster3.zones.d.nodes"),
        MalformedCase("range-http-status", 97, 15, "700 is out of range; expected 200…599", key: "schedule.faults[0].status"),
        // Faults and references
        MalformedCase("fault-unknown-kind", 95, 14, "did you mean 'zone-outage'?", key: "schedule.faults[0].fault"),
        MalformedCase("fault-unknown-zone", 96, 13, "zone 'region1/cluster1/z' does not exist", key: "schedule.faults[0].zone"),
        MalformedCase("fault-unknown-node", 96, 13, "node 'cluster1-a-9' does not exist", key: "schedule.faults[0].node"),
        MalformedCase("fault-unknown-cluster", 96, 16, "cluster 'cluster9' does not exist", key: "schedule.faults[0].cluster"),
        MalformedCase("fault-unknown-region", 96, 15, "region 'region3' does not exist", key: "schedule.faults[0].region"),
        MalformedCase("fault-unknown-service", 96, 16, "service 'svc3' does not exist", key: "schedule.faults[0].service"),
        MalformedCase("fault-key-not-applicable", 97, 7, "'service' does not apply to zone-outage", key: "schedule.faults[0].service"),
        MalformedCase("fault-ends-after-experiment", 97, 12, "ends at 45m, after the end of the experiment (30m)", key: "schedule.faults[0].for"),
        MalformedCase("fault-starts-after-experiment", 94, 11, "starts at 40m, at or after the end of the experiment", key: "schedule.faults[0].at"),
        MalformedCase("fault-partition-same-side", 96, 16, "a locality cannot be on both sides of the partition", key: "schedule.faults[0].between"),
        MalformedCase("traffic-bad-locality", 71, 11, "'region1/cluster1' is not a locality", key: "traffic[0].from"),
        MalformedCase("traffic-unknown-service", 72, 9, "did you mean 'frontend'?", key: "traffic[0].to"),
        // Safety limits
        MalformedCase("safety-window-hour", 90, 43, "'Sat 25:00-03:00 Europe/Berlin' is not a time window", key: "safety.allowedWindows[1]"),
        MalformedCase("safety-max-zones-down", 98, 7, "2 zones are down at once (cluster1/a, cluster1/b); safety.maxZonesDown allows 1", key: "schedule.faults[1]"),
        MalformedCase("safety-whole-region", 98, 7, "every zone of region region2 is down", key: "schedule.faults[1]"),
        MalformedCase("safety-all-clusters", 106, 7, "every cluster is down", key: "schedule.faults[3]"),
        // Services and topology
        MalformedCase("services-call-cycle", 31, 12, "calls form a cycle: frontend → svc2 → frontend", key: "services.frontend.calls"),
        MalformedCase("services-call-unknown", 31, 13, "calls 'svc3', which is not a service of the plan", key: "services.frontend.calls[0]"),
        MalformedCase("services-p99-below-p50", 34, 35, "p99 (60ms) is below p50 (80ms)", key: "services.svc2.serviceTime.p99"),
        MalformedCase("topology-cluster-twice", 23, 7, "cluster 'cluster1' is declared twice", key: "topology.regions.region2.cluster1"),
        // SLOs and stop conditions
        MalformedCase("sli-unknown-function", 78, 10, "unknown SLI 'successRate'; did you mean 'successRatio'?", key: "slos[0].sli"),
        MalformedCase("sli-unknown-service", 78, 10, "service 'frontnd' does not exist", key: "slos[0].sli"),
        MalformedCase("sli-bad-percentile", 82, 10, "latency needs a percentile", key: "slos[1].sli"),
        MalformedCase("objective-wrong-unit", 83, 16, "'99.5%' is not a duration", key: "slos[1].objective"),
        MalformedCase("objective-no-comparison", 79, 16, "start it with >=, <=, > or <", key: "slos[0].objective"),
        MalformedCase("slo-duplicate-name", 81, 11, "SLO 'availability' is declared twice", key: "slos[1].name"),
        MalformedCase("stop-condition-bad-duration", 86, 5, "'30 seconds' after 'for' is not a duration", key: "stopConditions[0]"),
        MalformedCase("stop-condition-no-call", 86, 5, "is not a stop condition", key: "stopConditions[0]"),
        // Procedures
        MalformedCase("procedure-unknown-step", 102, 17, "did you mean 'shift-traffic'?", key: "schedule.procedures[0].steps[0].step"),
        MalformedCase("procedure-step-extra-key", 108, 11, "'cluster' does not apply to pause", key: "schedule.procedures[0].steps[1].cluster"),
        MalformedCase("procedure-step-unknown-cluster", 104, 20, "cluster 'cluster5' does not exist", key: "schedule.procedures[0].steps[0].cluster"),
        // Manifests
        MalformedCase("istio-unknown-field", 61, 13, "did you mean 'consecutive5xxErrors'?", key: "trafficPolicy[0].inline.spec.trafficPolicy.outlierDetection.consecutive5xxErors"),
        MalformedCase("istio-max-ejection-150", 64, 33, "150 is out of range; expected 0…100", key: "trafficPolicy[0].inline.spec.trafficPolicy.outlierDetection.maxEjectionPercent"),
        MalformedCase("karmada-replica-scheduling-type", 49, 36, "'Divide' is not one of 'Duplicated', 'Divided'; did you mean 'Divided'?", key: "placement[0].inline.spec.placement.replicaScheduling.replicaSchedulingType"),
        MalformedCase("manifest-entry-misspelt", 39, 5, "did you mean 'inline'?", key: "placement[0].inlne"),
        MalformedCase("manifest-file-missing", 53, 11, "no-such-rule.yaml", key: "trafficPolicy[0].file"),
        // Broken YAML
        MalformedCase("yaml-bad-indentation", 34, 4, "YAML syntax"),
        MalformedCase("yaml-tab-indentation", 33, 1, "tab"),
        MalformedCase("yaml-unclosed-bracket", 31, 12, "did not find expected ',' or ']'"),
        MalformedCase("yaml-unclosed-brace", 17, 14, "did not find expected ',' or '}'"),
        MalformedCase("yaml-unclosed-quote", 79, 16, "YAML syntax",
                      bug: "points at 83:17, four lines on, with 'did not find expected key while parsing a block mapping'; the quote opened at 79:16 is never mentioned"),
        MalformedCase("yaml-undefined-alias", 34, 18, "undefined alias"),
        MalformedCase("yaml-two-documents", 113, 1, "a plan is one YAML document; this file has 2"),
    ]
}

/// The malformed-plan suite of the Foundation issue: every broken plan is refused with an error
/// that names the line and column of the broken spot, and none crashes.
@Suite struct MalformedPlanTests {
    @Test func baseFixtureIsValid() throws {
        let loaded = try PlanLoader.load(path: MalformedFixtures.directory.appendingPathComponent("base.yaml").path)
        #expect(loaded.plan.metadata.name == "base-plan")
        // Its only warning: the shift-traffic step names a service without a VirtualService.
        #expect(loaded.warnings.map(\.key) == ["schedule.procedures[0].steps[0]"])
    }

    @Test func everyFixtureHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: MalformedFixtures.malformed.path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        let table = MalformedFixtures.cases.map(\.fixture)
        #expect(files.count >= 45)
        #expect(Set(table).count == table.count, "a fixture is listed twice")
        #expect(Set(files) == Set(table))
    }

    @Test(arguments: MalformedFixtures.cases)
    func malformedPlanIsRefusedAtTheBrokenSpot(_ c: MalformedCase) throws {
        let path = MalformedFixtures.path(c.fixture)
        let error = try #require(throws: PlanError.self) { try PlanLoader.load(path: path) }
        let first = try #require(error.errors.first, "PlanError without errors")
        let check = {
            #expect(first.file == path)
            #expect(first.line == c.line && first.column == c.column, "got \(first)")
            #expect(first.message.contains(c.message), "got \(first)")
            if let key = c.key { #expect(first.key == key, "got \(first)") }
        }
        if let bug = c.bug { withKnownIssue(Comment(rawValue: bug), check) } else { check() }
        let count = { #expect(error.errors.count == c.errors, "got \(error.errors.map(\.description))") }
        if let bug = c.extraErrorsBug { withKnownIssue(Comment(rawValue: bug), count) } else { count() }
    }

    // MARK: Files generated at run time (not committed)

    @Test func tenMegabytePlanIsRefused() throws {
        let dir = try GeneratedPlans.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try GeneratedPlans.tenMegabytes(in: dir)
        let error = try #require(throws: PlanError.self) { try PlanLoader.load(path: path) }
        #expect(error.code == .unreadable)
        let first = try #require(error.errors.first)
        #expect(first.file == path && first.line == 1 && first.column == 1)
        #expect(first.message.contains("at most \(4 * 1024 * 1024) bytes"), "got \(first)")
    }

    @Test(arguments: GeneratedPlans.Garbage.allCases)
    func binaryGarbageIsRefusedAtTheFirstBadByte(_ kind: GeneratedPlans.Garbage) throws {
        let dir = try GeneratedPlans.makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, expected) = try GeneratedPlans.garbage(kind, in: dir)
        let error = try #require(throws: PlanError.self) { try PlanLoader.load(path: path) }
        let first = try #require(error.errors.first)
        let check = {
            #expect(error.code == .unreadable)
            #expect(first.file == path)
            #expect(first.line == expected.line && first.column == expected.column, "got \(first)")
            #expect(first.message.contains(expected.message), "got \(first)")
        }
        check()
    }
}

/// The 10 MB and binary files of the suite, written to a temporary folder at run time.
enum GeneratedPlans {
    enum Garbage: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Random bytes from a seeded generator.
        case random
        /// A plan's first lines, then a NUL byte, then random bytes.
        case nulAfterText
        /// A plan's first lines, then a byte that cannot start UTF-8 (0xC3 0x28), then random bytes.
        case invalidUTF8AfterText
        /// A plan's first lines, then an encoded UTF-16 surrogate (ED A0 80), which is not UTF-8.
        case encodedSurrogate

        var testDescription: String { rawValue }
    }

    static func makeDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-malformed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A plan of valid-looking YAML text just over 10 MB: a real header, then a very long tag list.
    static func tenMegabytes(in dir: URL) throws -> String {
        var text = "apiVersion: quake/v1\nkind: Experiment\nmetadata:\n  name: huge\n  tags:\n"
        var i = 0
        while text.utf8.count < 10 * 1024 * 1024 {
            text += "    - tag-\(String(repeating: "x", count: 40))-\(i)\n"
            i += 1
        }
        let path = dir.appendingPathComponent("ten-megabytes.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes one garbage file; returns its path and where the loader must point.
    static func garbage(_ kind: Garbage, in dir: URL) throws -> (path: String, expected: (line: Int, column: Int, message: String)) {
        var rng = SeededGenerator(seed: 0x5EED_0F_0BAD_F11E)
        let noise = (0..<65_536).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let head = Array("apiVersion: quake/v1\nkind: Exp".utf8)
        let bytes: [UInt8]
        let expected: (Int, Int, String)
        switch kind {
        case .random:
            bytes = noise
            expected = firstBadByte(noise)
        case .nulAfterText:
            bytes = head + [0] + noise
            expected = (2, 10, "a NUL byte")
        case .invalidUTF8AfterText:
            bytes = head + [0xC3, 0x28] + noise
            expected = (2, 10, "byte 0xC3, which is not UTF-8 text")
        case .encodedSurrogate:
            bytes = head + [0xED, 0xA0, 0x80] + Array("eriment\n".utf8)
            expected = (2, 10, "byte 0xED, which is not UTF-8 text")
        }
        #expect(bytes.contains(0) || kind == .encodedSurrogate, "the garbage should hold a NUL byte")
        let path = dir.appendingPathComponent("garbage-\(kind.rawValue).yaml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, expected)
    }

    /// Where the first NUL or invalid UTF-8 sequence is, found with the standard library's decoder
    /// (independently of the loader): line and column in characters, 1-based.
    static func firstBadByte(_ bytes: [UInt8]) -> (Int, Int, String) {
        var line = 1, column = 1, offset = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                if scalar.value == 0 { return (line, column, "a NUL byte") }
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
                offset += UTF8.width(scalar)
            case .error:
                return (line, column, String(format: "byte 0x%02X", bytes[offset]))
            case .emptyInput:
                return (line, column, "")
            }
        }
    }
}

