import Foundation
import QuakePlan
import QuakeTestSupport
import Testing

/// The plan loader fuzzed (issue #7): 100,000 seeded inputs, mutations of the repository's plans
/// and of small plans cut from them, and generated plans, fed to the loader as the CLI does.
/// Each must load or be refused with a `PlanError` whose every finding has a message and a line
/// and column inside its file, and none may take a second.
///
/// Inputs that are not UTF-8, and every twentieth one, are written to a file and loaded from its
/// path (`quake validate` and `quake run` read plans so); the others are loaded from their text.
@Suite struct PlanLoaderFuzzTests {
    @Test(.timeLimit(.minutes(5)))
    func everyInputLoadsOrIsRefusedAtASpotInItsFile() async throws {
        let corpus = try PlanFuzzCorpus()
        let mutator = PlanTextMutator(corpus: corpus)
        var generator = PlanGenerator(seed: 0x5EED_6E4E)
        var rng = SeededGenerator(seed: 0x5EED_10AD)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quake-plan-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The seeds' `file:` manifests resolve next to the plan file as they do in experiments/.
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("manifests"), withDestinationURL: PlanFuzzCorpus.experiments.appendingPathComponent("manifests"))
        let planFile = folder.appendingPathComponent("plan.yaml").path
        var files = FileTexts()
        var slowest = SlowestInput()
        var loaded = 0, refused = 0
        for n in 0..<100_000 {
            // Let the suites running alongside have the test pool's two threads now and then.
            if n % 200 == 0 { await Task.yield() }
            let input: [UInt8]
            switch n % 100 {
            case 0: input = mutator.mutate(corpus.fullPlan(using: &rng), using: &rng)
            case 1..<71: input = mutator.mutate(corpus.fragment(using: &rng), using: &rng)
            case 71..<79: input = mutator.mutate(corpus.corePlan(using: &rng), using: &rng)
            case 79..<83: input = Array(generator.plan().utf8)
            case 83..<99: input = mutator.mutate(generator.plan(), using: &rng)
            default: input = Array(generator.hostile().utf8)
            }
            let text = n % 20 == 0 ? nil : String(validating: input, as: UTF8.self)
            if text == nil { try Data(input).write(to: URL(fileURLWithPath: planFile)) }
            let file = text == nil ? planFile : "plan.yaml"
            files.plan = (file, input)
            do throws(PlanError) {
                let plan = try slowest.time(n) { () throws(PlanError) in
                    if let text { return try PlanLoader.load(text: text, file: file, directory: PlanFuzzCorpus.experiments.path) }
                    return try PlanLoader.load(path: planFile)
                }
                for warning in plan.warnings { files.expectClear(warning, input: n) }
                loaded += 1
            } catch {
                #expect(!error.errors.isEmpty, "input \(n): a PlanError without errors")
                for finding in error.diagnostics { files.expectClear(finding, input: n) }
                refused += 1
            }
        }
        #expect(loaded > 2_000 && refused > 50_000, "\(loaded) loaded, \(refused) refused")
        #expect(slowest.duration < .seconds(1), "\(slowest)")
    }

    /// The texts of the files findings point into: the plan under test, and the manifests it names.
    private struct FileTexts {
        /// The plan under test, as the loader was given it.
        var plan: (file: String, bytes: [UInt8]) = ("", []) {
            didSet { lines[plan.file] = nil }
        }
        /// Each file's lines, each line's width in characters (every byte that does not continue one,
        /// as the loader counts them).
        private var lines: [String: [Int]] = [:]

        /// Expects `finding` to have a message for people and a line and column inside its file
        /// (a column may point just past a line's last character).
        mutating func expectClear(_ finding: PlanDiagnostic, input: Int) {
            let message = finding.message.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!message.isEmpty, "input \(input): \(finding)")
            for leak in ["Optional(", "<uncovertable>", "Error Domain", "Swift.", "Yams.", "YamlError"] {
                #expect(!finding.message.contains(leak), "input \(input): \(finding)")
            }
            let widths = widths(of: finding.file)
            let width = widths.indices.contains(finding.line - 1) ? widths[finding.line - 1] : -1
            #expect(finding.column >= 1 && finding.column <= width + 1, "input \(input): \(finding) is outside the file (\(widths.count) lines)")
        }

        private mutating func widths(of file: String) -> [Int] {
            if let widths = lines[file] { return widths }
            let bytes = file == plan.file ? plan.bytes : FileManager.default.contents(atPath: file).map { [UInt8]($0) } ?? []
            var widths = [0]
            for byte in bytes {
                if byte == UInt8(ascii: "\n") { widths.append(0) } else if byte & 0xC0 != 0x80 { widths[widths.count - 1] += 1 }
            }
            lines[file] = widths
            return widths
        }
    }
}
