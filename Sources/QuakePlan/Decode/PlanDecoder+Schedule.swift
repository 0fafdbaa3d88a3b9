import QuakeCore
import Yams

extension PlanDecoder {
    static let faultKeys = ["at", "for", "fault", "node", "zone", "cluster", "region", "service", "status", "percentage", "delay", "between", "count"]

    func decodeSchedule(_ node: Node) -> Schedule {
        guard let m = reader.mapping(node, "schedule", keys: ["duration", "faults", "procedures"], required: ["duration"]) else { return Schedule(duration: .zero) }
        let parsed = m["duration"].flatMap { reader.duration($0, m.path("duration")) }
        if let parsed, parsed <= .zero, let n = m["duration"] {
            reader.error(n, m.path("duration"), "the experiment must last longer than 0s")
        } else if let parsed, parsed > .hours(24 * 7), let n = m["duration"] {
            reader.error(n, m.path("duration"), "an experiment lasts at most 7 days (168h); split a longer soak into several plans")
        }
        let duration = parsed ?? .zero
        var faults: [FaultSpec] = []
        for (i, item) in (m["faults"].flatMap { reader.sequence($0, m.path("faults"), of: "faults") } ?? []).enumerated() {
            if let fault = decodeFault(item, "\(m.path("faults"))[\(i)]", experiment: duration) {
                faults.append(fault)
                faultNodes.append((i, item))
            }
        }
        var procedures: [Procedure] = []
        for (i, item) in (m["procedures"].flatMap { reader.sequence($0, m.path("procedures"), of: "procedures") } ?? []).enumerated() {
            if let p = decodeProcedure(item, "\(m.path("procedures"))[\(i)]", experiment: duration) {
                procedures.append(p)
                procedureNodes.append((i, item))
            }
        }
        return Schedule(duration: duration, faults: faults, procedures: procedures)
    }

    private func decodeFault(_ node: Node, _ path: String, experiment: TimeSpan) -> FaultSpec? {
        guard let m = reader.mapping(node, path, keys: Self.faultKeys, required: ["at", "fault"], what: "a fault") else { return nil }
        let at = m["at"].flatMap { reader.duration($0, m.path("at")) }
        let length = m["for"].flatMap { reader.duration($0, m.path("for")) }
        guard let kindNode = m["fault"], let kindText = reader.choice(kindNode, m.path("fault"), among: FaultKind.allCases.map(\.rawValue)), let kind = FaultKind(rawValue: kindText) else { return nil }
        let fields: [String]
        var fault: Fault?
        func need(_ key: String) -> Node? {
            guard let n = m[key] else {
                reader.error(node, path, "\(kind.rawValue) needs '\(key)'")
                return nil
            }
            return n
        }
        switch kind {
        case .nodeCrash, .nodeHang:
            fields = ["node"]
            if let n = need("node"), let name = resolveNode(n, m.path("node")) { fault = kind == .nodeCrash ? .nodeCrash(node: name) : .nodeHang(node: name) }
        case .zoneOutage:
            fields = ["zone"]
            if let n = need("zone"), let z = resolveZone(n, m.path("zone")) { fault = .zoneOutage(region: z.region, cluster: z.cluster, zone: z.zone) }
        case .clusterOutage:
            fields = ["cluster"]
            if let n = need("cluster"), let c = resolveCluster(n, m.path("cluster")) { fault = .clusterOutage(cluster: c) }
        case .regionOutage:
            fields = ["region"]
            if let n = need("region"), let r = resolveRegion(n, m.path("region")) { fault = .regionOutage(region: r) }
        case .httpAbort:
            fields = ["service", "status", "percentage"]
            let service = need("service").flatMap { resolveService($0, m.path("service")) }
            let status = m["status"].flatMap { reader.int($0, m.path("status"), in: 200...599) } ?? 503
            let pct = need("percentage").flatMap { reader.percentage($0, m.path("percentage")) }
            if let service, let pct { fault = .httpAbort(service: service, status: status, percentage: pct) }
        case .httpDelay:
            fields = ["service", "delay", "percentage"]
            let service = need("service").flatMap { resolveService($0, m.path("service")) }
            let delay = need("delay").flatMap { reader.duration($0, m.path("delay")) }
            let pct = need("percentage").flatMap { reader.percentage($0, m.path("percentage")) }
            if let service, let delay, let pct { fault = .httpDelay(service: service, delay: delay, percentage: pct) }
        case .partition:
            fields = ["between"]
            if let n = need("between") { fault = decodePartition(n, m.path("between")) }
        case .podKill:
            fields = ["service", "count", "percentage", "cluster"]
            let service = need("service").flatMap { resolveService($0, m.path("service")) }
            let cluster = m["cluster"].flatMap { resolveCluster($0, m.path("cluster")) }
            var count: PodCount?
            switch (m["count"], m["percentage"]) {
            case let (c?, nil): count = reader.int(c, m.path("count"), in: 1...100_000).map(PodCount.count)
            case let (nil, p?): count = reader.percentage(p, m.path("percentage")).map(PodCount.percentage)
            case (nil, nil): count = .count(1)
            default: reader.error(node, path, "pod-kill takes 'count' or 'percentage', not both")
            }
            if let service, let count { fault = .podKill(service: service, count: count, cluster: cluster) }
        }
        for entry in m.entries where !["at", "for", "fault"].contains(entry.key) && !fields.contains(entry.key) {
            reader.error(entry.keyNode, m.path(entry.key), "'\(entry.key)' does not apply to \(kind.rawValue); it takes \(reader.list(fields))")
        }
        guard let at, let fault else { return nil }
        checkWithinExperiment(start: at, end: length.map { at + $0 }, experiment: experiment, m, what: "the fault")
        if let length, length <= .zero, let n = m["for"] { reader.error(n, m.path("for"), "a fault must last longer than 0s") }
        return FaultSpec(at: at, duration: length, fault: fault)
    }

    /// `between: [sideA, sideB]`, each side a locality or a list of them.
    private func decodePartition(_ node: Node, _ path: String) -> Fault? {
        guard let sides = reader.sequence(node, path, of: "two sides"), sides.count == 2 else {
            reader.error(node, path, "a partition is between exactly two sides, e.g. [region1, region2] or [[region1/cluster1], [region1/cluster2, region2]]")
            return nil
        }
        var resolved: [[String]] = []
        for (i, side) in sides.enumerated() {
            let sidePath = "\(path)[\(i)]"
            let items: [Node] = { if case .sequence = side { return reader.sequence(side, sidePath, of: "localities") ?? [] } else { return [side] } }()
            resolved.append(items.enumerated().compactMap { resolveLocalityPattern($1, "\(sidePath)[\($0)]") })
        }
        for a in resolved[0] {
            for b in resolved[1] where a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/") {
                reader.error(node, path, "'\(a)' and '\(b)' overlap: a locality cannot be on both sides of the partition")
                return nil
            }
        }
        guard !resolved[0].isEmpty, !resolved[1].isEmpty else { return nil }
        return .partition(sideA: resolved[0], sideB: resolved[1])
    }

    private func checkWithinExperiment(start: TimeSpan, end: TimeSpan?, experiment: TimeSpan, _ m: YAMLMapping, what: String) {
        guard experiment > .zero else { return }
        if start >= experiment, let n = m["at"] {
            reader.error(n, m.path("at"), "\(what) starts at \(start), at or after the end of the experiment (\(experiment))")
        } else if let end, end > experiment, let n = m["for"] ?? m["at"] {
            reader.error(n, m.path(m.has("for") ? "for" : "at"), "\(what) ends at \(end), after the end of the experiment (\(experiment))")
        }
    }
}
