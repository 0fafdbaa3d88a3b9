import QuakeCore
import Yams

extension PlanDecoder {
    static let serviceKeys = ["replicas", "serviceTime", "errorRate", "calls", "port", "namespace", "kind", "labels", "startupTime", "rateLimit"]

    func decodeServices(_ node: Node) -> [ServiceSpec] {
        var result: [ServiceSpec] = []
        var callNodes: [String: (Node, String)] = [:]
        for entry in reader.namedEntries(node, "services", what: "services") ?? [] {
            let path = reader.join("services", entry.key)
            checkName(entry.key, entry.keyNode, path, what: "service")
            guard let m = reader.mapping(entry.value, path, keys: Self.serviceKeys, required: ["replicas", "serviceTime"], what: "a service") else { continue }
            let replicas = m["replicas"].flatMap { reader.int($0, m.path("replicas"), in: 0...100_000) } ?? 1
            let serviceTime = m["serviceTime"].flatMap { decodeServiceTime($0, m.path("serviceTime")) } ?? .fixed(.milliseconds(1))
            let calls = m["calls"].flatMap { reader.strings($0, m.path("calls")) } ?? []
            if let callsNode = m["calls"] { callNodes[entry.key] = (callsNode, m.path("calls")) }
            let kind = m["kind"].flatMap { reader.choice($0, m.path("kind"), among: WorkloadKind.allCases.map(\.rawValue)) }.flatMap(WorkloadKind.init) ?? .deployment
            result.append(ServiceSpec(
                name: entry.key,
                namespace: m["namespace"].flatMap { reader.string($0, m.path("namespace")) } ?? "default",
                workloadKind: kind,
                replicas: replicas,
                serviceTime: serviceTime,
                errorRate: m["errorRate"].flatMap { reader.percentage($0, m.path("errorRate")) } ?? Percentage(0),
                calls: calls,
                port: m["port"].flatMap { reader.int($0, m.path("port"), in: 1...65535) } ?? 8080,
                labels: m["labels"].flatMap { reader.labels($0, m.path("labels")) },
                startupTime: m["startupTime"].flatMap { reader.duration($0, m.path("startupTime")) } ?? .seconds(30),
                rateLimit: m["rateLimit"].flatMap { decodeRateLimit($0, m.path("rateLimit")) }
            ))
        }
        if result.isEmpty, case let .mapping(map) = node, map.isEmpty {
            reader.error(node, "services", "a plan needs at least one service")
        }
        let names = result.map(\.name)
        for service in result {
            guard let (node, path) = callNodes[service.name] else { continue }
            let items: [Node] = { if case let .sequence(seq) = node { return Array(seq) } else { return [] } }()
            for (i, item) in items.enumerated() {
                guard let call = item.string, !names.contains(call) else { continue }
                reader.error(item, "\(path)[\(i)]", "service '\(service.name)' calls '\(call)', which is not a service of the plan" + Suggestion.phrase(for: call, among: names))
            }
        }
        if let cycle = callCycle(result), let (node, path) = callNodes[cycle[0]] {
            reader.error(node, path, "calls form a cycle: \(cycle.joined(separator: " → ")); a request would never end")
        }
        return result
    }

    /// `{maxTokens, tokensPerFill, fillInterval}`, Envoy's local rate limit token bucket.
    private func decodeRateLimit(_ node: Node, _ path: String) -> LocalRateLimit? {
        guard let m = reader.mapping(node, path, keys: ["maxTokens", "tokensPerFill", "fillInterval"], required: ["maxTokens"], what: "a token bucket") else { return nil }
        guard let maxTokens = m["maxTokens"].flatMap({ reader.int($0, m.path("maxTokens"), in: 1...100_000_000) }) else { return nil }
        let perFill = m["tokensPerFill"].flatMap { reader.int($0, m.path("tokensPerFill"), in: 1...100_000_000) } ?? maxTokens
        let interval = m["fillInterval"].flatMap { reader.duration($0, m.path("fillInterval")) } ?? .seconds(1)
        if interval < .milliseconds(50), let n = m["fillInterval"] {
            reader.error(n, m.path("fillInterval"), "Envoy requires a fill interval of at least 50ms")
            return nil
        }
        return LocalRateLimit(maxTokens: maxTokens, tokensPerFill: perFill, fillInterval: interval)
    }

    /// `{p50, p99}` for log-normal, or a single duration for a fixed time.
    private func decodeServiceTime(_ node: Node, _ path: String) -> ServiceTime? {
        if case .scalar = node { return reader.duration(node, path).map(ServiceTime.fixed) }
        guard let m = reader.mapping(node, path, keys: ["p50", "p99"], required: ["p50", "p99"], what: "a log-normal service time") else { return nil }
        guard let p50 = m["p50"].flatMap({ reader.duration($0, m.path("p50")) }), let p99 = m["p99"].flatMap({ reader.duration($0, m.path("p99")) }) else { return nil }
        if p99 < p50, let node = m["p99"] {
            reader.error(node, m.path("p99"), "p99 (\(p99)) is below p50 (\(p50))")
            return nil
        }
        if p50 <= .zero, let node = m["p50"] {
            reader.error(node, m.path("p50"), "p50 must be above zero")
            return nil
        }
        return .logNormal(p50: p50, p99: p99)
    }

    private func callCycle(_ services: [ServiceSpec]) -> [String]? {
        let calls = Dictionary(services.map { ($0.name, $0.calls) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 1, let start = stack.firstIndex(of: name) { return Array(stack[start...]) + [name] }
            if state[name] != nil { return nil }
            state[name] = 1
            stack.append(name)
            for next in calls[name] ?? [] {
                if let cycle = visit(next) { return cycle }
            }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for service in services {
            if let cycle = visit(service.name) { return cycle }
        }
        return nil
    }
}
