import Foundation
import QuakeCore
import Yams

/// Typed reads of YAML nodes that record a diagnostic (with line, column and key path) for every
/// mismatch and carry on, so one pass finds every error of a file.
struct YAMLReader {
    /// The file the nodes come from.
    let file: String
    /// Where findings go.
    let sink: DiagnosticSink
    /// The file's lines and columns of its nodes' marks.
    let lineMap: YAMLLineMap

    // MARK: Findings

    func error(_ node: Node?, _ key: String, _ message: String) {
        let at = position(node)
        sink.error(file: file, line: at.line, column: at.column, key: key, message)
    }

    func warning(_ node: Node?, _ key: String, _ message: String) {
        let at = position(node)
        sink.warning(file: file, line: at.line, column: at.column, key: key, message)
    }

    private func position(_ node: Node?) -> (line: Int, column: Int) {
        node?.mark.map(lineMap.position) ?? (1, 1)
    }

    // MARK: Structure

    /// The node as a mapping whose keys are all in `keys` (or `ignored`, which are warned about as not modelled).
    /// Unknown keys are errors with a "did you mean"; missing `required` keys are errors at the mapping.
    func mapping(_ node: Node, _ path: String, keys: [String], required: [String] = [], ignored: [String] = [], what: String? = nil) -> YAMLMapping? {
        guard case let .mapping(map) = node else {
            error(node, path, "expected a mapping\(what.map { " (\($0))" } ?? "") with keys \(list(keys)), found \(describe(node))")
            return nil
        }
        var entries: [YAMLMapping.Entry] = []
        var misspelt: [String] = []
        var unknown = false
        for (keyNode, value) in map {
            guard let key = keyNode.string else {
                error(keyNode, path, "keys must be text, found \(describe(keyNode))")
                unknown = true
                continue
            }
            let keyPath = join(path, key)
            if keys.contains(key) {
                entries.append(.init(key: key, keyNode: keyNode, value: value))
            } else if ignored.contains(key) {
                warning(keyNode, keyPath, "not modelled by Quake; ignored")
            } else {
                unknown = true
                let guess = Suggestion.closest(to: key, among: keys + ignored)
                if let guess { misspelt.append(guess) }
                error(keyNode, keyPath, "unknown key '\(key)'" + (guess.map { "; did you mean '\($0)'?" } ?? "") + "; expected one of \(list(keys))")
            }
        }
        // A required key whose misspelling was already reported is not reported missing as well.
        for key in required where !entries.contains(where: { $0.key == key }) && !misspelt.contains(key) {
            error(node, path.isEmpty ? key : path, "missing required key '\(key)'")
        }
        return YAMLMapping(node: node, path: path, entries: entries, hadUnknownKeys: unknown)
    }

    /// The node as a mapping with free-form keys (names chosen by the user), in file order.
    func namedEntries(_ node: Node, _ path: String, what: String) -> [YAMLMapping.Entry]? {
        guard case let .mapping(map) = node else {
            error(node, path, "expected a mapping of \(what), found \(describe(node))")
            return nil
        }
        var entries: [YAMLMapping.Entry] = []
        for (keyNode, value) in map {
            guard let key = keyNode.string, !key.isEmpty else {
                error(keyNode, path, "the names of \(what) must be text, found \(describe(keyNode))")
                continue
            }
            entries.append(.init(key: key, keyNode: keyNode, value: value))
        }
        return entries
    }

    /// The node as a sequence; a single scalar is not accepted.
    func sequence(_ node: Node, _ path: String, of what: String) -> [Node]? {
        guard case let .sequence(seq) = node else {
            error(node, path, "expected a list of \(what), found \(describe(node))")
            return nil
        }
        return Array(seq)
    }

    // MARK: Scalars

    /// Text; numbers and booleans are read as they are written.
    func string(_ node: Node, _ path: String) -> String? {
        guard case let .scalar(scalar) = node, node.null == nil else {
            error(node, path, "expected text, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A whole number within `range`.
    func int(_ node: Node, _ path: String, in range: ClosedRange<Int> = 0...Int.max) -> Int? {
        guard case .scalar = node, let value = node.int else {
            let digits = node.string.map { !$0.isEmpty && $0.drop { $0 == "-" || $0 == "+" }.allSatisfy(\.isNumber) } ?? false
            if case .scalar = node, digits {
                error(node, path, "\(describe(node)) is out of range; expected \(range.lowerBound)…\(range.upperBound == Int.max ? "" : String(range.upperBound))")
            } else {
                error(node, path, "expected a whole number, found \(describe(node))")
            }
            return nil
        }
        guard range.contains(value) else {
            error(node, path, "\(value) is out of range; expected \(range.lowerBound)…\(range.upperBound == Int.max ? "" : String(range.upperBound))")
            return nil
        }
        return value
    }

    /// A number (whole or decimal) within `range`.
    func double(_ node: Node, _ path: String, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) -> Double? {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            error(node, path, "expected a number, found \(describe(node))")
            return nil
        }
        guard range.contains(value) else {
            error(node, path, "\(value) is out of range; expected \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }

    /// `true` or `false`.
    func bool(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            error(node, path, "expected true or false, found \(describe(node))")
            return nil
        }
        return value
    }

    /// A duration such as `90s`, `5m`, `1h30m`, `250ms`.
    func duration(_ node: Node, _ path: String) -> TimeSpan? {
        guard case let .scalar(scalar) = node, node.null == nil else {
            error(node, path, "expected a duration like 30s, 5m or 1h30m, found \(describe(node))")
            return nil
        }
        if let span = TimeSpan(parsing: scalar.string) { return span }
        if Double(scalar.string) != nil {
            error(node, path, "a duration needs a unit (ms, s, m, h): write \(scalar.string)s for seconds")
        } else if scalar.string.hasPrefix("-"), TimeSpan(parsing: String(scalar.string.dropFirst())) != nil {
            error(node, path, "'\(scalar.string)': a duration cannot be negative")
        } else {
            error(node, path, "'\(scalar.string)' is not a duration; write it like 30s, 5m, 1h30m or 250ms")
        }
        return nil
    }

    /// A rate such as `500/s` or `30000/m`.
    func rate(_ node: Node, _ path: String) -> Rate? {
        guard case let .scalar(scalar) = node, node.null == nil, let rate = Rate(parsing: scalar.string) else {
            error(node, path, "expected a rate like 500/s or 30000/m, found \(describe(node))")
            return nil
        }
        return rate
    }

    /// A percentage such as `12.5%`, within `range`.
    func percentage(_ node: Node, _ path: String, in range: ClosedRange<Double> = 0...100) -> Percentage? {
        guard case let .scalar(scalar) = node, node.null == nil else {
            error(node, path, "expected a percentage like 12.5%, found \(describe(node))")
            return nil
        }
        guard let p = Percentage(parsing: scalar.string) else {
            if Double(scalar.string) != nil {
                error(node, path, "write percentages with a % sign: \(scalar.string)%")
            } else {
                error(node, path, "'\(scalar.string)' is not a percentage; write it like 12.5%")
            }
            return nil
        }
        guard range.contains(p.percent) else {
            error(node, path, "\(p) is out of range; expected \(Percentage(range.lowerBound))…\(Percentage(range.upperBound))")
            return nil
        }
        return p
    }

    /// One of `choices` (exact spelling), with a "did you mean" otherwise.
    func choice(_ node: Node, _ path: String, among choices: [String]) -> String? {
        guard let text = string(node, path) else { return nil }
        guard choices.contains(text) else {
            error(node, path, "'\(text)' is not one of \(list(choices))" + Suggestion.phrase(for: text, among: choices))
            return nil
        }
        return text
    }

    /// A list of text items.
    func strings(_ node: Node, _ path: String) -> [String]? {
        guard let items = sequence(node, path, of: "text items") else { return nil }
        return items.enumerated().compactMap { string($1, "\(path)[\($0)]") }
    }

    /// A mapping of text to text (labels).
    func labels(_ node: Node, _ path: String) -> [String: String]? {
        guard let entries = namedEntries(node, path, what: "labels") else { return nil }
        var out: [String: String] = [:]
        for entry in entries {
            if let value = string(entry.value, join(path, entry.key)) { out[entry.key] = value }
        }
        return out
    }

    // MARK: Helpers

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func list(_ keys: [String]) -> String { keys.map { "'\($0)'" }.joined(separator: ", ") }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(s):
            if node.null != nil { return "nothing" }
            let text = s.string.count > 40 ? String(s.string.prefix(40)) + "…" : s.string
            return "'\(text)'"
        }
    }
}

/// A mapping whose keys were checked, in file order.
struct YAMLMapping {
    struct Entry {
        let key: String
        let keyNode: Node
        let value: Node
    }

    let node: Node
    let path: String
    let entries: [Entry]
    /// Whether the mapping held keys that were reported as unknown (later checks stay quiet about it).
    var hadUnknownKeys = false

    /// The value under `key`, if present.
    subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }

    /// The key path of `key` in this mapping.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether `key` is present.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}
