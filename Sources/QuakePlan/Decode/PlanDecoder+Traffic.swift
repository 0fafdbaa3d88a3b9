import QuakeCore
import Yams

extension PlanDecoder {
    func decodeTraffic(_ node: Node) -> [LoadSpec] {
        var loads: [LoadSpec] = []
        for (i, item) in (reader.sequence(node, "traffic", of: "loads") ?? []).enumerated() {
            let path = "traffic[\(i)]"
            guard let m = reader.mapping(item, path, keys: ["from", "to", "rate", "arrival", "ramp", "path"], required: ["from", "to", "rate"], what: "a load") else { continue }
            let from = m["from"].flatMap { resolveClientLocality($0, m.path("from")) }
            let to = m["to"].flatMap { resolveService($0, m.path("to")) }
            let rate = m["rate"].flatMap { reader.rate($0, m.path("rate")) }
            let arrival = m["arrival"].flatMap { reader.choice($0, m.path("arrival"), among: Arrival.allCases.map(\.rawValue)) }.flatMap(Arrival.init) ?? .constant
            var rampFrom: Rate?
            var rampDuration = TimeSpan.zero
            if let r = m["ramp"], let rm = reader.mapping(r, m.path("ramp"), keys: ["from", "over"], required: ["from", "over"], what: "a ramp") {
                rampFrom = rm["from"].flatMap { reader.rate($0, rm.path("from")) }
                rampDuration = rm["over"].flatMap { reader.duration($0, rm.path("over")) } ?? .zero
            }
            let requestPath = m["path"].flatMap { reader.string($0, m.path("path")) } ?? "/"
            guard let from, let to, let rate else { continue }
            loads.append(LoadSpec(from: from, to: to, rate: rate, arrival: arrival, rampFrom: rampFrom, rampDuration: rampDuration, path: requestPath))
        }
        return loads
    }

    func decodeProbes(_ node: Node) -> [ProbeSpec] {
        var probes: [ProbeSpec] = []
        for (i, item) in (reader.sequence(node, "probes", of: "probes") ?? []).enumerated() {
            let path = "probes[\(i)]"
            guard let m = reader.mapping(item, path, keys: ["name", "service", "from", "url", "path", "interval", "timeout", "expect"], required: ["name"], what: "a probe") else { continue }
            guard let name = m["name"].flatMap({ reader.string($0, m.path("name")) }) else { continue }
            if probes.contains(where: { $0.name == name }), let n = m["name"] { reader.error(n, m.path("name"), "probe '\(name)' is declared twice") }
            var target: ProbeTarget?
            switch (m["service"], m["url"]) {
            case let (service?, nil):
                let from = m["from"].flatMap { resolveClientLocality($0, m.path("from")) } ?? topology.clusters.first?.nodes.first?.locality
                if let s = resolveService(service, m.path("service")), let from { target = .service(s, from: from) }
            case let (nil, url?):
                if let u = reader.string(url, m.path("url")) {
                    if u.hasPrefix("http://") || u.hasPrefix("https://") { target = .url(u) } else { reader.error(url, m.path("url"), "'\(u)' is not an http:// or https:// URL") }
                }
            default:
                if !m.hadUnknownKeys { reader.error(item, path, "a probe names exactly one of 'service' (through the mesh) or 'url'") }
            }
            if case .url = target {
                for key in ["from", "path"] where m.has(key) {
                    reader.error(m.entries.first { $0.key == key }?.keyNode, m.path(key), "'\(key)' applies to service probes only; a url probe puts its path in the url")
                }
            }
            var probe = ProbeSpec(name: name, target: target ?? .url(""))
            if let v = m["path"].flatMap({ reader.string($0, m.path("path")) }) { probe.path = v }
            if let v = m["interval"].flatMap({ reader.duration($0, m.path("interval")) }) { probe.interval = v }
            if let v = m["timeout"].flatMap({ reader.duration($0, m.path("timeout")) }) { probe.timeout = v }
            if let e = m["expect"], let em = reader.mapping(e, m.path("expect"), keys: ["status", "bodyContains", "json"]) {
                if let v = em["status"].flatMap({ reader.int($0, em.path("status"), in: 100...599) }) { probe.expectStatus = v }
                probe.expectBodyContains = em["bodyContains"].flatMap { reader.string($0, em.path("bodyContains")) }
                if let j = em["json"], let jm = reader.mapping(j, em.path("json"), keys: ["path", "equals"], required: ["path", "equals"]) {
                    if let p = jm["path"].flatMap({ reader.string($0, jm.path("path")) }), let v = jm["equals"].flatMap({ reader.string($0, jm.path("equals")) }) {
                        probe.expectJSON = (p, v)
                    }
                }
            }
            if probe.timeout > probe.interval, let n = m["timeout"] { reader.error(n, m.path("timeout"), "the timeout (\(probe.timeout)) is longer than the interval (\(probe.interval))") }
            if target != nil { probes.append(probe) }
        }
        return probes
    }
}
