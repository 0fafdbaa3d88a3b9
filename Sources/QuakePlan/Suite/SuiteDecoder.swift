import Foundation
import QuakeCore
import Yams

/// Turns a suite's root node into a `Suite`, recording every error.
struct SuiteDecoder {
    let reader: YAMLReader
    let directory: String

    static let topKeys = ["apiVersion", "kind", "metadata", "schedule", "defaults", "plans"]
    static let overrideKeys = ["target", "seed", "repeat", "tags"]

    /// The overrides a `defaults` mapping or a plan entry may give.
    struct Overrides {
        var target: TargetKind?
        var seed: UInt64?
        var `repeat`: Int?
        var tags: [String] = []
    }

    func decode(_ root: Node) -> Suite? {
        guard let top = reader.mapping(root, "", keys: Self.topKeys, required: ["apiVersion", "kind", "metadata", "plans"], what: "a Quake suite") else { return nil }
        if let node = top["apiVersion"], let v = reader.string(node, "apiVersion"), v != "quake/v1" {
            reader.error(node, "apiVersion", "'\(v)' is not supported; this Quake reads 'quake/v1'")
        }
        if let node = top["kind"], let k = reader.string(node, "kind"), k != "Suite" {
            reader.error(node, "kind", "'\(k)' is not a suite; expected 'Suite'" + Suggestion.phrase(for: k, among: ["Suite"]))
        }
        var name = "unnamed", description = ""
        if let node = top["metadata"], let m = reader.mapping(node, "metadata", keys: ["name", "description"], required: ["name"]) {
            name = m["name"].flatMap { reader.string($0, m.path("name")) } ?? name
            if let node = m["name"], name.isEmpty || name.contains(where: { $0 == "/" || $0.isWhitespace }) {
                reader.error(node, m.path("name"), "'\(name)' is not a usable name: reports are named after it, so use letters, digits, '-' and '.'")
            }
            description = m["description"].flatMap { reader.string($0, m.path("description")) } ?? ""
        }
        let schedule = top["schedule"].flatMap(decodeSchedule)
        let defaults = top["defaults"].map { decodeOverrides($0, "defaults", extra: []) } ?? Overrides()
        var entries: [Suite.Entry] = []
        if let node = top["plans"], let items = reader.sequence(node, "plans", of: "plans") {
            if items.isEmpty { reader.error(node, "plans", "the suite names no plan; list at least one under 'plans'") }
            for (index, item) in items.enumerated() {
                if let entry = decodeEntry(item, "plans[\(index)]", defaults: defaults) { entries.append(entry) }
            }
        }
        return Suite(name: name, description: description, schedule: schedule, entries: entries)
    }

    /// A five-field cron expression (minute hour day-of-month month day-of-week).
    func decodeSchedule(_ node: Node) -> String? {
        guard let text = reader.string(node, "schedule") else { return nil }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        let allowed = Set("0123456789*/,-")
        guard fields.count == 5, fields.allSatisfy({ $0.allSatisfy(allowed.contains) }) else {
            reader.error(node, "schedule", "'\(text)' is not a cron schedule; write five fields (minute hour day month weekday) of digits, '*', '/', ',' and '-', like \"0 2 * * *\"")
            return nil
        }
        return fields.joined(separator: " ")
    }

    func decodeOverrides(_ node: Node, _ path: String, extra: [String]) -> Overrides {
        var out = Overrides()
        guard let m = reader.mapping(node, path, keys: extra + Self.overrideKeys, required: extra) else { return out }
        out.target = m["target"].flatMap { reader.choice($0, m.path("target"), among: TargetKind.allCases.map(\.rawValue)) }.flatMap(TargetKind.init)
        out.seed = m["seed"].flatMap { reader.int($0, m.path("seed")) }.map { UInt64($0) }
        out.repeat = m["repeat"].flatMap { reader.int($0, m.path("repeat"), in: 1...1000) }
        out.tags = m["tags"].flatMap { reader.strings($0, m.path("tags")) } ?? []
        return out
    }

    func decodeEntry(_ node: Node, _ path: String, defaults: Overrides) -> Suite.Entry? {
        // A bare path is an entry with no overrides.
        if case .scalar = node { return reader.string(node, path).flatMap { entry($0, at: node, path, overrides: Overrides(), defaults: defaults) } }
        guard case let .mapping(map) = node else {
            reader.error(node, path, "expected a plan file or a mapping with 'plan', found \(reader.describe(node))")
            return nil
        }
        let overrides = decodeOverrides(node, path, extra: ["plan"])
        guard let planNode = map["plan"], let plan = reader.string(planNode, path + ".plan") else { return nil }
        return entry(plan, at: planNode, path + ".plan", overrides: overrides, defaults: defaults)
    }

    /// The entry for `plan`, whose file must exist; the entry's overrides win over the defaults,
    /// and the tags of both are kept.
    func entry(_ plan: String, at node: Node, _ path: String, overrides: Overrides, defaults: Overrides) -> Suite.Entry? {
        let resolved = plan.hasPrefix("/") ? plan : (directory == "." ? plan : directory + "/" + plan)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            reader.error(node, path, "no plan file '\(plan)'" + (plan.hasPrefix("/") ? "" : " (plan paths are relative to the suite's folder: \(resolved))"))
            return nil
        }
        if SuiteLoader.isSuite(path: resolved) {
            reader.error(node, path, "'\(plan)' is a suite; a suite lists plans, not other suites")
            return nil
        }
        var tags = defaults.tags
        for tag in overrides.tags where !tags.contains(tag) { tags.append(tag) }
        return Suite.Entry(plan: plan, path: resolved, target: overrides.target ?? defaults.target, seed: overrides.seed ?? defaults.seed,
                           repeat: overrides.repeat ?? defaults.repeat, tags: tags)
    }
}
