import QuakeCore
import Yams

extension PlanDecoder {
    func decodeSLOs(_ node: Node, probes: [ProbeSpec]) -> [SLOSpec] {
        var slos: [SLOSpec] = []
        for (i, item) in (reader.sequence(node, "slos", of: "SLOs") ?? []).enumerated() {
            let path = "slos[\(i)]"
            guard let m = reader.mapping(item, path, keys: ["name", "sli", "objective", "window", "weight"], required: ["name", "sli", "objective"], what: "an SLO") else { continue }
            let name = m["name"].flatMap { reader.string($0, m.path("name")) }
            if let name, slos.contains(where: { $0.name == name }), let n = m["name"] { reader.error(n, m.path("name"), "SLO '\(name)' is declared twice") }
            var sli = m["sli"].flatMap { decodeSLI($0, m.path("sli"), probes: probes) }
            if case let .promQL(query, _) = sli, let text = m["objective"]?.string { sli = .promQL(query: query, unit: SLIExpression.unit(ofObjective: text)) }
            var objective: Objective?
            if let sli, let n = m["objective"], let text = reader.string(n, m.path("objective")) {
                switch SLIExpression.objective(text, unit: sli.unit, allowWithin: isReplicas(sli)) {
                case let .success(o): objective = o
                case let .failure(message): reader.error(n, m.path("objective"), message.text)
                }
            }
            let window = m["window"].flatMap { reader.duration($0, m.path("window")) }
            let weight = m["weight"].flatMap { reader.double($0, m.path("weight"), in: 0...1000) } ?? 1
            if let name, let sli, let objective {
                slos.append(SLOSpec(name: name, sli: sli, objective: objective, window: window, weight: weight))
            }
        }
        return slos
    }

    /// Stop conditions: `"successRatio(frontend) < 80% for 30s"`, or `{sli, condition, for}`.
    func decodeStopConditions(_ node: Node, probes: [ProbeSpec]) -> [StopCondition] {
        var result: [StopCondition] = []
        for (i, item) in (reader.sequence(node, "stopConditions", of: "stop conditions") ?? []).enumerated() {
            let path = "stopConditions[\(i)]"
            var sliText: String?
            var conditionText: String?
            var duration = TimeSpan.zero
            var sliNode = item
            if case .scalar = item, let text = reader.string(item, path) {
                var rest = text
                if let range = rest.range(of: " for ", options: .backwards) {
                    let after = String(rest[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                    guard let d = TimeSpan(parsing: after) else {
                        reader.error(item, path, "'\(after)' after 'for' is not a duration; write it like 30s")
                        continue
                    }
                    duration = d
                    rest = String(rest[..<range.lowerBound])
                }
                guard let close = rest.lastIndex(of: ")") else {
                    reader.error(item, path, "'\(text)' is not a stop condition; write it like \"successRatio(frontend) < 80% for 30s\"")
                    continue
                }
                sliText = String(rest[...close])
                conditionText = String(rest[rest.index(after: close)...]).trimmingCharacters(in: .whitespaces)
            } else if let m = reader.mapping(item, path, keys: ["sli", "condition", "for"], required: ["sli", "condition"], what: "a stop condition") {
                if let n = m["sli"] { sliNode = n; sliText = reader.string(n, m.path("sli")) }
                conditionText = m["condition"].flatMap { reader.string($0, m.path("condition")) }
                duration = m["for"].flatMap { reader.duration($0, m.path("for")) } ?? .zero
            }
            guard let sliText, let conditionText, var sli = decodeSLI(text: sliText, sliNode, path, probes: probes) else { continue }
            if case let .promQL(query, _) = sli { sli = .promQL(query: query, unit: SLIExpression.unit(ofObjective: conditionText)) }
            switch SLIExpression.objective(conditionText, unit: sli.unit, allowWithin: false) {
            case let .success(condition): result.append(StopCondition(sli: sli, condition: condition, duration: duration))
            case let .failure(message): reader.error(item, path, message.text)
            }
        }
        return result
    }

    private func isReplicas(_ sli: SLI) -> Bool {
        if case .replicasReady = sli { return true }
        return false
    }

    func decodeSLI(_ node: Node, _ path: String, probes: [ProbeSpec]) -> SLI? {
        guard let text = reader.string(node, path) else { return nil }
        return decodeSLI(text: text, node, path, probes: probes)
    }

    private func decodeSLI(text: String, _ node: Node, _ path: String, probes: [ProbeSpec]) -> SLI? {
        let call: SLIExpression.Call
        switch SLIExpression.call(text) {
        case let .success(c): call = c
        case let .failure(message):
            reader.error(node, path, message.text)
            return nil
        }
        let usage = SLIExpression.usage(call.name)
        func fail(_ message: String) -> SLI? {
            reader.error(node, path, "\(message); expected \(usage)")
            return nil
        }
        guard let first = call.arguments.first else { return fail("\(call.name) needs an argument") }
        if call.name == "promql" { return .promQL(query: first, unit: .number) }
        if call.name == "probeSuccess" {
            guard call.arguments.count == 1 else { return fail("probeSuccess takes one argument") }
            guard probes.contains(where: { $0.name == first }) else {
                return fail("probe '\(first)' does not exist" + Suggestion.phrase(for: first, among: probes.map(\.name)))
            }
            return .probeSuccess(probe: first)
        }
        let names = services.map(\.name)
        guard names.contains(first) else {
            if servicesBroken { return nil }
            reader.error(node, path, "service '\(first)' does not exist" + Suggestion.phrase(for: first, among: names) + "; services are \(names.joined(separator: ", "))")
            return nil
        }
        let rest = Array(call.arguments.dropFirst())
        switch call.name {
        case "successRatio":
            guard rest.count <= 1 else { return fail("too many arguments") }
            guard let arg = rest.first else { return .successRatio(service: first, from: nil) }
            guard arg.hasPrefix("from=") else { return fail("'\(arg)' is not from=region/cluster/zone") }
            let parts = arg.dropFirst(5).split(separator: "/").map(String.init)
            guard parts.count == 3, topology.cluster(named: parts[1])?.zones.contains(where: { $0.name == parts[2] }) == true,
                  topology.cluster(named: parts[1])?.region == parts[0] else {
                return fail("locality '\(arg.dropFirst(5))' does not exist")
            }
            return .successRatio(service: first, from: Locality(region: parts[0], cluster: parts[1], zone: parts[2]))
        case "latency":
            guard rest.count == 1, rest[0].hasPrefix("p"), let p = Double(rest[0].dropFirst()), p > 0, p <= 100 else {
                return fail("latency needs a percentile like p50, p99 or p99.9")
            }
            return .latency(service: first, percentile: p)
        case "errorBudgetBurn":
            guard rest.count == 1, let target = Percentage(parsing: rest[0]), target.percent > 0, target.percent < 100 else {
                return fail("errorBudgetBurn needs an availability target between 0% and 100%, like 99.9%")
            }
            return .errorBudgetBurn(service: first, target: target)
        case "trafficShare":
            guard rest.count == 1 else { return fail("trafficShare needs a region or region/cluster") }
            let parts = rest[0].split(separator: "/").map(String.init)
            let known = (parts.count == 1 && topology.region(named: parts[0]) != nil)
                || (parts.count == 2 && topology.cluster(named: parts[1])?.region == parts[0])
            guard known else { return fail("locality '\(rest[0])' does not exist") }
            return .trafficShare(service: first, locality: rest[0])
        default:
            guard rest.isEmpty else { return fail("\(call.name) takes one argument") }
            switch call.name {
            case "timeToRecover": return .timeToRecover(service: first)
            case "replicasReady": return .replicasReady(service: first)
            case "throughput": return .throughput(service: first)
            default: return .errorCount(service: first)
            }
        }
    }
}
