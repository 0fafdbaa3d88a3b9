import QuakeCore
import Yams

extension PlanDecoder {
    func decodeControlPlane(_ node: Node) -> ControlPlane {
        guard let m = reader.mapping(node, "controlPlane", keys: ["kubernetes", "karmada", "istio", "karmadaFeatures", "timings"]) else { return ControlPlane() }
        func version(_ key: String, _ fallback: Version) -> Version {
            guard let n = m[key], let text = reader.string(n, m.path(key)) else { return fallback }
            guard let v = Version(parsing: text) else {
                reader.error(n, m.path(key), "'\(text)' is not a version; write it like \"\(fallback)\" (quoted, so YAML keeps 1.30 from becoming 1.3)")
                return fallback
            }
            return v
        }
        let kubernetes = version("kubernetes", Version(1, 32))
        let karmada = version("karmada", Version(1, 13))
        let istio = version("istio", Version(1, 24))
        var features = KarmadaFeatures.defaults(for: karmada)
        if let f = m["karmadaFeatures"], let fm = reader.mapping(f, m.path("karmadaFeatures"), keys: ["failover", "noExecuteTaintEviction", "gracefulEviction"]) {
            if let v = fm["failover"].flatMap({ reader.bool($0, fm.path("failover")) }) { features.failover = v }
            if let v = fm["noExecuteTaintEviction"].flatMap({ reader.bool($0, fm.path("noExecuteTaintEviction")) }) { features.noExecuteTaintEviction = v }
            if let v = fm["gracefulEviction"].flatMap({ reader.bool($0, fm.path("gracefulEviction")) }) { features.gracefulEviction = v }
        }
        var timings = Timings.defaults(kubernetes: kubernetes)
        if let t = m["timings"], let tm = reader.mapping(t, m.path("timings"), keys: Timings.keys) {
            for entry in tm.entries {
                let path = tm.path(entry.key)
                switch Timings.valueKind(of: entry.key) {
                case .duration:
                    if let v = reader.duration(entry.value, path) { _ = timings.set(entry.key, duration: v) }
                case .rate:
                    if let v = reader.rate(entry.value, path) { _ = timings.set(entry.key, number: v.perSecond) }
                case .fraction:
                    let range: ClosedRange<Double> = entry.key == "overprovisioningFactor" ? 1...10 : 0...1
                    if let v = reader.double(entry.value, path, in: range) { _ = timings.set(entry.key, number: v) }
                case .count:
                    if let v = reader.int(entry.value, path, in: 0...1_000_000) { _ = timings.set(entry.key, number: Double(v)) }
                case nil:
                    break
                }
            }
        }
        return ControlPlane(kubernetes: kubernetes, karmada: karmada, istio: istio, karmadaFeatures: features, timings: timings)
    }

    func decodeTarget(_ node: Node) -> TargetSettings {
        var settings = TargetSettings()
        guard let m = reader.mapping(node, "target", keys: ["kind", "window", "model", "lab", "kubernetes"]) else { return settings }
        if let k = m["kind"].flatMap({ reader.choice($0, m.path("kind"), among: TargetKind.allCases.map(\.rawValue)) }).flatMap(TargetKind.init) { settings.kind = k }
        if let w = m["window"].flatMap({ reader.duration($0, m.path("window")) }) {
            if w < .milliseconds(100), let n = m["window"] { reader.error(n, m.path("window"), "the observation window must be at least 100ms") } else { settings.window = w }
        }
        if let n = m["model"], let mm = reader.mapping(n, m.path("model"), keys: ["accessLog"]) {
            if let v = mm["accessLog"].flatMap({ reader.bool($0, mm.path("accessLog")) }) { settings.modelAccessLog = v }
        }
        if let n = m["lab"], let lm = reader.mapping(n, m.path("lab"), keys: ["timeScale", "basePort"]) {
            if let v = lm["timeScale"].flatMap({ reader.double($0, lm.path("timeScale"), in: 0.001...1) }) { settings.labTimeScale = v }
            if let v = lm["basePort"].flatMap({ reader.int($0, lm.path("basePort"), in: 1024...60000) }) { settings.labBasePort = v }
        }
        if let n = m["kubernetes"], let km = reader.mapping(n, m.path("kubernetes"), keys: ["context", "karmadaContext", "kubeconfig", "prometheus", "prometheusTokenFile", "clusters", "namespace", "ingress", "nodeFault"]) {
            settings.kubeContext = km["context"].flatMap { reader.string($0, km.path("context")) }
            settings.karmadaContext = km["karmadaContext"].flatMap { reader.string($0, km.path("karmadaContext")) }
            settings.kubeconfig = km["kubeconfig"].flatMap { reader.string($0, km.path("kubeconfig")) }
            if let v = km["namespace"].flatMap({ reader.string($0, km.path("namespace")) }) { settings.kubeNamespace = v }
            if let v = km["nodeFault"].flatMap({ reader.choice($0, km.path("nodeFault"), among: KubeNodeFault.allCases.map(\.rawValue)) }).flatMap(KubeNodeFault.init) { settings.kubeNodeFault = v }
            // An http:// or https:// URL, without a trailing slash.
            func url(_ key: String) -> String? {
                guard let node = km[key], let v = reader.string(node, km.path(key)) else { return nil }
                guard v.hasPrefix("http://") || v.hasPrefix("https://") else {
                    reader.error(node, km.path(key), "'\(v)' is not an http:// or https:// URL")
                    return nil
                }
                return v.hasSuffix("/") ? String(v.dropLast()) : v
            }
            settings.kubeIngress = url("ingress")
            settings.prometheusURL = url("prometheus")
            settings.prometheusTokenFile = km["prometheusTokenFile"].flatMap { reader.string($0, km.path("prometheusTokenFile")) }
            if let clusters = km["clusters"], let entries = reader.namedEntries(clusters, km.path("clusters"), what: "member clusters") {
                for entry in entries {
                    let path = reader.join(km.path("clusters"), entry.key)
                    let names = topology.clusters.map(\.name)
                    if !topologyBroken, !names.contains(entry.key) {
                        reader.error(entry.value, path, "no cluster '\(entry.key)' in the topology" + Suggestion.phrase(for: entry.key, among: names))
                    }
                    guard let access = reader.mapping(entry.value, path, keys: ["context", "viaKarmada"]) else { continue }
                    let context = access["context"].flatMap { reader.string($0, access.path("context")) }
                    let proxy = access["viaKarmada"].flatMap { reader.bool($0, access.path("viaKarmada")) } ?? false
                    switch (context, proxy) {
                    case let (context?, false): settings.kubeClusters[entry.key] = .context(context)
                    case (nil, true): settings.kubeClusters[entry.key] = .viaKarmada
                    default: reader.error(entry.value, path, "give either context: NAME or viaKarmada: true")
                    }
                }
            }
        }
        return settings
    }
}
