import Foundation
import QuakePlan
import QuakeTestSupport

/// The valid plans the loader's fuzz test mutates: `Fixtures/base.yaml` and every
/// `experiments/*.yaml` whole, and small plans cut from them, with the values each key takes in them.
struct PlanFuzzCorpus {
    /// The folder of the experiments, which their `file:` manifests are relative to.
    static let experiments = PlanFixtures.repository.appendingPathComponent("experiments")

    /// Each seed plan as its top-level sections (a key at column 1 with the lines under it, comments
    /// and blank lines kept with the section above).
    let plans: [[String]]
    /// Every value written after `key: ` in the seeds, in file order, for substitutions that keep
    /// the structure but move a value to where it does not belong.
    let values: [String]

    /// Reads the seeds from the repository.
    init() throws {
        var files = [MalformedFixtures.directory.appendingPathComponent("base.yaml")]
        files += try FileManager.default.contentsOfDirectory(at: Self.experiments, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" && !SuiteLoader.isSuite(path: $0.path) }.sorted { $0.path < $1.path }
        let texts = try files.map { try String(contentsOf: $0, encoding: .utf8) }
        plans = texts.map(Self.sections)
        values = texts.flatMap { $0.split(separator: "\n") }.compactMap { line in
            guard let colon = line.firstRange(of: ": ") else { return nil }
            let value = line[colon.upperBound...].trimmingCharacters(in: .whitespaces)
            return value.isEmpty || value.hasPrefix("#") ? nil : value
        }
    }

    /// A whole seed plan.
    func fullPlan(using rng: inout SeededGenerator) -> String {
        (plans.randomElement(using: &rng) ?? []).joined()
    }

    /// One section of a seed (topology, placement, SLOs …) under a minimal header: the quickest
    /// input that still reaches that section's decoder.
    func fragment(using rng: inout SeededGenerator) -> String {
        let sections = (plans.randomElement(using: &rng) ?? []).filter { !Self.isHeader($0) }
        return "apiVersion: quake/v1\nkind: Experiment\nmetadata: {name: fragment}\n" + (sections.randomElement(using: &rng) ?? "")
    }

    /// A small plan from one seed that can be valid: its header, topology, services and schedule,
    /// and maybe one of its other sections.
    func corePlan(using rng: inout SeededGenerator) -> String {
        let sections = plans.randomElement(using: &rng) ?? []
        let isCore = { (section: String) in Self.isHeader(section) || ["topology:", "services:", "schedule:"].contains { section.hasPrefix($0) } }
        let other = sections.filter { !isCore($0) }.shuffled(using: &rng).prefix(Int.random(in: 0...1, using: &rng))
        return sections.filter { isCore($0) || other.contains($0) }.joined()
    }

    private static func isHeader(_ section: String) -> Bool {
        ["apiVersion:", "kind:", "metadata:"].contains { section.hasPrefix($0) }
    }

    private static func sections(_ text: String) -> [String] {
        var sections: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines.last == "" ? lines.dropLast() : lines[...] {
            let starts = line.first.map { $0 != " " && $0 != "#" } ?? false
            if starts || sections.isEmpty { sections.append("") }
            sections[sections.count - 1] += line + "\n"
        }
        return sections
    }
}
