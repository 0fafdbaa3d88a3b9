import Foundation

/// A `labelSelector` query parameter as the API server parses it: requirements separated by
/// commas, each `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`,
/// `key` (exists) or `!key` (does not exist); all must hold.
struct KubeAPILabelSelector {
    enum Requirement {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case let .equals(key, value): return labels[key] == value
            case let .notEquals(key, value): return labels[key] != value
            case let .isIn(key, values): return labels[key].map(values.contains) ?? false
            case let .notIn(key, values): return !(labels[key].map(values.contains) ?? false)
            case let .exists(key): return labels[key] != nil
            case let .doesNotExist(key): return labels[key] == nil
            }
        }
    }

    let requirements: [Requirement]

    /// Parses `text`; throws a 400 `Status` for a selector the real server would refuse.
    init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for clause in Self.clauses(text) {
            let trimmed = clause.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            requirements.append(try Self.requirement(trimmed, in: text))
        }
        self.requirements = requirements
    }

    /// `matchLabels` and `matchExpressions` of a `LabelSelector` object (a PDB's `spec.selector`).
    init(_ selector: KubeAPIJSON) {
        var requirements: [Requirement] = selector["matchLabels"].stringMap.map { .equals($0.key, $0.value) }
        for expression in selector["matchExpressions"].array ?? [] {
            let key = expression["key"].string ?? ""
            let values = Set((expression["values"].array ?? []).compactMap(\.string))
            switch expression["operator"].string {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            default: requirements.append(.doesNotExist(key))
            }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Splits at the commas outside parentheses.
    private static func clauses(_ text: String) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: clauses.append(current); current = ""
            default: current.append(character)
            }
        }
        clauses.append(current)
        return clauses
    }

    private static func requirement(_ clause: String, in text: String) throws -> Requirement {
        let invalid = KubeAPIStatus.badRequest("unable to parse requirement: found '\(clause)', expected: valid selector in \"\(text)\"")
        if clause.hasPrefix("!") {
            let key = clause.dropFirst().trimmingCharacters(in: .whitespaces)
            guard isKey(key) else { throw invalid }
            return .doesNotExist(key)
        }
        for (symbol, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = clause.range(of: symbol) {
                let key = clause[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = clause[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard isKey(key) else { throw invalid }
                return make(key, value)
            }
        }
        let words = clause.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2, let open = words[1].firstIndex(of: "("), words[1].hasSuffix(")") {
            let operation = words[1][..<open].trimmingCharacters(in: .whitespaces)
            let list = words[1][words[1].index(after: open)..<words[1].index(before: words[1].endIndex)]
            let values = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard isKey(words[0]) else { throw invalid }
            switch operation {
            case "in": return .isIn(words[0], values)
            case "notin": return .notIn(words[0], values)
            default: throw invalid
            }
        }
        guard isKey(clause) else { throw invalid }
        return .exists(clause)
    }

    private static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
    }
}
