import Foundation
import QuakeCore

/// Parses the small expression language of SLOs and stop conditions:
/// `successRatio(frontend)`, `latency(frontend, p99)`, `>= 99.5%`, `>= 6 within 8m`.
enum SLIExpression {
    /// The SLI functions and the arguments each takes, for messages and "did you mean".
    static let functions: [(name: String, usage: String)] = [
        ("successRatio", "successRatio(service) or successRatio(service, from=region/cluster/zone)"),
        ("latency", "latency(service, p99)"),
        ("errorBudgetBurn", "errorBudgetBurn(service, 99.9%)"),
        ("timeToRecover", "timeToRecover(service)"),
        ("trafficShare", "trafficShare(service, region or region/cluster)"),
        ("replicasReady", "replicasReady(service)"),
        ("probeSuccess", "probeSuccess(probe)"),
        ("throughput", "throughput(service)"),
        ("errorCount", "errorCount(service)"),
        ("promql", "promql(\"a PromQL query\")"),
    ]

    /// A parsed call before its names are checked against the plan.
    struct Call {
        var name: String
        var arguments: [String]
    }

    /// Splits `name(a, b)` into its name and arguments; the error says what is wrong.
    static func call(_ text: String) -> Result<Call, Message> {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("promql(") {
            // The query itself holds commas and parentheses: take everything inside, unquoted.
            guard s.hasSuffix(")") else { return .failure(Message("'\(text)' is not closed; write promql(\"query\")")) }
            var query = s.dropFirst("promql(".count).dropLast().trimmingCharacters(in: .whitespaces)
            if query.count >= 2, let first = query.first, first == query.last, first == "\"" || first == "'" { query = String(query.dropFirst().dropLast()) }
            guard !query.isEmpty else { return .failure(Message("promql() needs a query: promql(\"sum(rate(istio_requests_total[1m]))\")")) }
            return .success(Call(name: "promql", arguments: [query]))
        }
        guard let open = s.firstIndex(of: "("), s.hasSuffix(")") else {
            return .failure(Message("'\(text)' is not an SLI; write it like successRatio(frontend)"))
        }
        let name = String(s[..<open]).trimmingCharacters(in: .whitespaces)
        guard functions.contains(where: { $0.name == name }) else {
            return .failure(Message("unknown SLI '\(name)'" + Suggestion.phrase(for: name, among: functions.map(\.name)) + "; SLIs are \(functions.map(\.name).joined(separator: ", "))"))
        }
        let inner = s[s.index(after: open)..<s.index(before: s.endIndex)]
        let arguments = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if arguments.contains(where: \.isEmpty) { return .failure(Message("'\(text)' has an empty argument; expected \(usage(name))")) }
        return .success(Call(name: name, arguments: arguments))
    }

    static func usage(_ name: String) -> String { functions.first { $0.name == name }?.usage ?? name }

    /// The unit an objective is written in (`99.5%`, `250ms`, `100/s`, `2`), for SLIs that take theirs from it.
    static func unit(ofObjective text: String) -> ObjectiveUnit {
        let value = text.drop { "<>= ".contains($0) }.split(separator: " ").first.map(String.init) ?? ""
        if Percentage(parsing: value) != nil { return .percentage }
        if Rate(parsing: value) != nil { return .rate }
        if Double(value) == nil, TimeSpan(parsing: value) != nil { return .duration }
        return .number
    }

    /// Parses `>= 99.5%`, `<= 250ms`, `>= 6 within 8m` for an SLI whose values are in `unit`.
    static func objective(_ text: String, unit: ObjectiveUnit, allowWithin: Bool) -> Result<Objective, Message> {
        var s = text.trimmingCharacters(in: .whitespaces)
        guard let comparison = Objective.Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count }).first(where: { s.hasPrefix($0.rawValue) }) else {
            return .failure(Message("'\(text)' is not an objective; start it with >=, <=, > or <, e.g. \(example(unit))"))
        }
        s = String(s.dropFirst(comparison.rawValue.count)).trimmingCharacters(in: .whitespaces)
        var within: TimeSpan?
        if let range = s.range(of: " within ") {
            let after = String(s[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            guard allowWithin else { return .failure(Message("'within' applies only to replicasReady")) }
            guard let w = TimeSpan(parsing: after) else { return .failure(Message("'\(after)' after 'within' is not a duration; write it like 8m")) }
            within = w
            s = String(s[..<range.lowerBound])
        }
        let threshold: Double?
        switch unit {
        case .percentage: threshold = Percentage(parsing: s)?.percent
        case .duration: threshold = TimeSpan(parsing: s)?.seconds
        case .rate: threshold = Rate(parsing: s)?.perSecond
        case .number: threshold = Double(s).flatMap { $0.isFinite ? $0 : nil }
        }
        guard let threshold else {
            return .failure(Message("'\(s)' is not a \(unitName(unit)); expected an objective like \(example(unit))"))
        }
        return .success(Objective(comparison: comparison, threshold: threshold, unit: unit, within: within))
    }

    static func unitName(_ unit: ObjectiveUnit) -> String {
        switch unit {
        case .percentage: return "percentage"
        case .duration: return "duration"
        case .rate: return "rate"
        case .number: return "number"
        }
    }

    static func example(_ unit: ObjectiveUnit) -> String {
        switch unit {
        case .percentage: return "\">= 99.5%\""
        case .duration: return "\"<= 250ms\""
        case .rate: return "\">= 100/s\""
        case .number: return "\"<= 2\""
        }
    }

    /// A parse failure's text.
    struct Message: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }
}
