import QuakePlan
import QuakeTestSupport
import Testing

/// The loader's defects its fuzz test found, one test each: every input is refused in well under a
/// second, at a line and column inside the file, with a message that names the problem.
@Suite struct PlanFuzzFindingsTests {
    /// Nine levels of ten aliases: a billion nodes from 400 bytes.
    static let bomb = "x-bomb:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + (1...9).map { "  a\($0): &a\($0) [" + Array(repeating: "*a\($0 - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()

    static func firstError(_ text: String, key: String? = nil) throws -> PlanDiagnostic {
        let error = try #require(throws: PlanError.self) { try PlanLoader.load(text: text, file: "p.yaml") }
        return try #require(error.errors.first { key == nil || $0.key == key })
    }

    /// An alias bomb used as a mapping key kept the loader busy for hours (Yams hashes every key in
    /// full while it composes a document). Now any file whose aliases bring in more than 100,000
    /// nodes is refused, at the alias that passes the limit: here the eighth `*a3` of line 6.
    @Test(.timeLimit(.minutes(1)), arguments: ["? *a9\n: boom\n", "metadata: {*a9: boom}\n", "services: [*a9: boom]\n", "metadata: *a9\n"])
    func aliasBombIsRefusedWhereItPassesTheLimit(use: String) throws {
        let start = ContinuousClock.now
        let first = try Self.firstError(Self.bomb + "apiVersion: quake/v1\n" + use)
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(first.line == 6 && first.column == 47, "\(first)")
        #expect(first.message.hasPrefix("YAML aliases: the alias '*a3' takes the file past 100000 nodes brought in by aliases"), "\(first)")
    }

    /// A plan may use anchors and aliases as YAML allows; only expansion past the budget is refused.
    @Test func aliasesWithinTheBudgetLoad() throws {
        let loaded = try PlanLoader.load(text: PlanGenerator.aliasedPlan, file: "p.yaml").plan
        #expect(loaded.metadata.description == "aliased")
        #expect(loaded.topology.regions.first?.clusters.first?.zones.map(\.nodes.count) == [2, 2])
    }

    /// Yams gives a reader error's offset in Characters, which the loader counted as bytes: after
    /// an `é` or a CRLF, the error pointed before the character libyaml refused.
    @Test(arguments: ["a: é\nb: [x]\nc: \u{1}\n", "a: 1\r\nb: [x]\r\nc: \u{1}\r\n", "a: &x 1\nb: [*x, *x]\nc: \u{1}\n"])
    func readerErrorPointsAtTheCharacter(text: String) throws {
        let first = try Self.firstError(text)
        #expect(first.line == 3 && first.column == 4 && first.message == "YAML reader: control characters are not allowed", "\(first)")
    }

    /// A CRLF file was one line to the duplicate-key lookup ("\r\n" is a single `Character`), which
    /// then formed an invalid range and crashed the loader.
    @Test func duplicateKeyInACRLFFileIsRefusedAtTheSecondKey() throws {
        let first = try Self.firstError("apiVersion: quake/v1\r\nkind: Experiment\r\nseed: 1\r\nseed: 2\r\n")
        #expect(first.line == 4 && first.column == 1 && first.key == "seed", "\(first)")
    }

    /// libyaml also ends lines at a lone CR, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR, so its
    /// lines ran ahead of the file's (and past its end); findings count lines by line feeds, as
    /// the loader's byte checks do.
    @Test(arguments: ["\r", "\u{85}", "\u{2028}", "\u{2029}"])
    func findingsAfterOtherLineBreaksPointAtTheirLine(separator: String) throws {
        let kind = try Self.firstError("apiVersion: quake/v1\(separator)kind: Experimnt\nmetadata: {name: x}\n", key: "kind")
        #expect(kind.line == 1 && kind.column == 28, "\(kind)")
    }

    /// At the end of a text without a final newline, libyaml points at the start of a line after it.
    @Test func syntaxErrorAtTheEndPointsInsideTheFile() throws {
        let first = try Self.firstError("apiVersion: quake/v1\nkind")
        #expect(first.line == 2 && first.column == 5 && first.message.hasPrefix("YAML syntax"), "\(first)")
    }

    /// Yams names a duplicated key that is a list or a mapping `<uncovertable>`.
    @Test func duplicatedListKeyIsNamedAsSuch() throws {
        let first = try Self.firstError("{[a]: 1, [a]: 2}\n")
        #expect(first.message == "a list or mapping is given twice as a key of one mapping; keys are text", "\(first)")
        #expect(first.line == 1 && first.column == 2, "\(first)")
    }

    /// A bad escape in a double-quoted string was reported as a quote never closed, at the quote.
    @Test func badEscapeIsReportedAtTheEscape() throws {
        let first = try Self.firstError("apiVersion: quake/v1\nmetadata: {name: \"a\\qb\"}\n")
        #expect(first.line == 2 && first.column == 20, "\(first)")
        #expect(first.message.hasPrefix("YAML syntax: found unknown escape character in a double-quoted string"), "\(first)")
    }

    /// libyaml's own words named a C function: "set with yaml_set_max_nest_level())".
    @Test func nestingPastLibyamlsLimitIsNamed() throws {
        let first = try Self.firstError("apiVersion: quake/v1\nmetadata: " + String(repeating: "[", count: 1001) + "\n")
        #expect(first.line == 2 && first.message == "YAML syntax: nested more than 1000 levels deep; a plan needs a handful", "\(first)")
    }

    /// With `services` missing, every reference to a service was reported too, listing no services
    /// ("services are "): follow-on errors of the one mistake.
    @Test func missingServicesAreReportedOnce() throws {
        let error = try #require(throws: PlanError.self) {
            try PlanLoader.load(text: "apiVersion: quake/v1\nkind: Experiment\nmetadata: {name: x}\ntopology: {regions: {r: {c: {zones: {z: {nodes: 1}}}}}}\nschedule: {duration: 10m, faults: [{at: 1m, fault: pod-kill, service: s1}]}\n", file: "p.yaml")
        }
        #expect(error.errors.map(\.message) == ["missing required key 'services'"])
    }

    /// "regions names must be text".
    @Test func aNameThatIsNotTextSaysWhoseName() throws {
        let first = try Self.firstError("topology: {regions: {[a]: 1}}\n", key: "topology.regions")
        #expect(first.message == "the names of regions must be text, found a list", "\(first)")
    }
}
