import Foundation
import QuakeCore
import Yams

extension ManifestImporter {
    func destinationRule(_ node: Node) -> DestinationRule? {
        guard let (name, _, specNode) = object(node) else { return nil }
        guard let specNode else {
            reader.error(node, base, "DestinationRule '\(name)' has no spec")
            return nil
        }
        guard let spec = reader.mapping(specNode, path("spec"), keys: ["host", "trafficPolicy", "subsets"], required: ["host"], ignored: ["exportTo", "workloadSelector"]) else { return nil }
        guard let hostNode = spec["host"], let host = reader.string(hostNode, spec.path("host")) else { return nil }
        var rule = DestinationRule(name: name, host: host)
        if let subsets = spec["subsets"] {
            for (i, s) in (reader.sequence(subsets, spec.path("subsets"), of: "subsets") ?? []).enumerated() {
                guard let m = reader.mapping(s, "\(spec.path("subsets"))[\(i)]", keys: ["name", "labels"], required: ["name"], ignored: ["trafficPolicy"]),
                      let subset = m["name"].flatMap({ reader.string($0, m.path("name")) }) else { continue }
                rule.subsets.append((subset, m["labels"].flatMap { reader.labels($0, m.path("labels")) } ?? [:]))
            }
        }
        if let tp = spec["trafficPolicy"], let t = reader.mapping(tp, spec.path("trafficPolicy"), keys: ["loadBalancer", "connectionPool", "outlierDetection"], ignored: ["tls", "portLevelSettings", "tunnel", "proxyProtocol", "retryBudget"]) {
            if let lb = t["loadBalancer"] { decodeLoadBalancer(lb, t.path("loadBalancer"), into: &rule) }
            if let cp = t["connectionPool"] { rule.connectionPool = connectionPool(cp, t.path("connectionPool")) }
            if let od = t["outlierDetection"] { rule.outlierDetection = outlierDetection(od, t.path("outlierDetection")) }
        }
        guard let service = serviceName(forHost: host, hostNode, spec.path("host"), owner: "DestinationRule '\(name)'") else { return nil }
        rule.host = service
        return rule
    }

    private func decodeLoadBalancer(_ node: Node, _ p: String, into rule: inout DestinationRule) {
        guard let m = reader.mapping(node, p, keys: ["simple", "localityLbSetting"], ignored: ["consistentHash", "warmupDurationSecs", "warmup"]) else { return }
        if let s = m["simple"], let text = reader.choice(s, m.path("simple"), among: LoadBalancer.allCases.map(\.rawValue) + ["LEAST_CONN", "UNSPECIFIED"]) {
            rule.loadBalancer = text == "LEAST_CONN" ? .leastRequest : text == "UNSPECIFIED" ? nil : LoadBalancer(rawValue: text)
        }
        guard let l = m["localityLbSetting"], let lm = reader.mapping(l, m.path("localityLbSetting"), keys: ["enabled", "distribute", "failover", "failoverPriority"]) else { return }
        var setting = LocalityLbSetting()
        if let v = lm["enabled"].flatMap({ reader.bool($0, lm.path("enabled")) }) { setting.enabled = v }
        if let v = lm["failoverPriority"].flatMap({ reader.strings($0, lm.path("failoverPriority")) }) { setting.failoverPriority = v }
        for (i, f) in (lm["failover"].flatMap { reader.sequence($0, lm.path("failover"), of: "failover rules") } ?? []).enumerated() {
            let fp = "\(lm.path("failover"))[\(i)]"
            guard let fm = reader.mapping(f, fp, keys: ["from", "to"], required: ["from", "to"]),
                  let from = fm["from"].flatMap({ reader.string($0, fm.path("from")) }), let to = fm["to"].flatMap({ reader.string($0, fm.path("to")) }) else { continue }
            setting.failover.append((from, to))
        }
        for (i, d) in (lm["distribute"].flatMap { reader.sequence($0, lm.path("distribute"), of: "distribute rules") } ?? []).enumerated() {
            let dp = "\(lm.path("distribute"))[\(i)]"
            guard let dm = reader.mapping(d, dp, keys: ["from", "to"], required: ["from", "to"]),
                  let from = dm["from"].flatMap({ reader.string($0, dm.path("from")) }),
                  let toEntries = dm["to"].flatMap({ reader.namedEntries($0, dm.path("to"), what: "locality weights") }) else { continue }
            let to = toEntries.compactMap { e in reader.int(e.value, reader.join(dm.path("to"), e.key), in: 0...100).map { (pattern: e.key, weight: $0) } }
            let total = to.reduce(0) { $0 + $1.weight }
            if total != 100, let n = dm["to"] { reader.error(n, dm.path("to"), "weights add up to \(total); Istio requires 100") }
            setting.distribute.append((from, to))
        }
        if !setting.failover.isEmpty, !setting.distribute.isEmpty, let n = lm["distribute"] {
            reader.error(n, lm.path("distribute"), "Istio accepts only one of 'distribute' or 'failover'")
        }
        rule.locality = setting
    }

    private func connectionPool(_ node: Node, _ p: String) -> ConnectionPool {
        var pool = ConnectionPool()
        guard let m = reader.mapping(node, p, keys: ["tcp", "http"]) else { return pool }
        if let t = m["tcp"], let tm = reader.mapping(t, m.path("tcp"), keys: ["maxConnections", "connectTimeout"], ignored: ["tcpKeepalive", "maxConnectionDuration", "idleTimeout"]) {
            if let v = tm["maxConnections"].flatMap({ reader.int($0, tm.path("maxConnections"), in: 0...ConnectionPool.unlimited) }) { pool.maxConnections = v }
            if let v = tm["connectTimeout"].flatMap({ reader.duration($0, tm.path("connectTimeout")) }) { pool.connectTimeout = v }
        }
        if let h = m["http"], let hm = reader.mapping(h, m.path("http"), keys: ["http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries"], ignored: ["idleTimeout", "h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams"]) {
            if let v = hm["http1MaxPendingRequests"].flatMap({ reader.int($0, hm.path("http1MaxPendingRequests"), in: 0...ConnectionPool.unlimited) }) { pool.maxPendingRequests = v }
            if let v = hm["http2MaxRequests"].flatMap({ reader.int($0, hm.path("http2MaxRequests"), in: 0...ConnectionPool.unlimited) }) { pool.maxRequests = v }
            if let v = hm["maxRequestsPerConnection"].flatMap({ reader.int($0, hm.path("maxRequestsPerConnection"), in: 0...ConnectionPool.unlimited) }) { pool.maxRequestsPerConnection = v }
            if let v = hm["maxRetries"].flatMap({ reader.int($0, hm.path("maxRetries"), in: 0...ConnectionPool.unlimited) }) { pool.maxRetries = v }
        }
        return pool
    }

    private func outlierDetection(_ node: Node, _ p: String) -> OutlierDetection? {
        guard let m = reader.mapping(node, p, keys: ["consecutive5xxErrors", "consecutiveGatewayErrors", "interval", "baseEjectionTime", "maxEjectionPercent", "minHealthPercent"], ignored: ["splitExternalLocalOriginErrors", "consecutiveLocalOriginFailures", "consecutiveErrors"]) else { return nil }
        var od = OutlierDetection()
        if let v = m["consecutive5xxErrors"].flatMap({ reader.int($0, m.path("consecutive5xxErrors"), in: 0...1_000_000) }) { od.consecutive5xxErrors = v }
        if let v = m["consecutiveGatewayErrors"].flatMap({ reader.int($0, m.path("consecutiveGatewayErrors"), in: 0...1_000_000) }) { od.consecutiveGatewayErrors = v == 0 ? nil : v }
        if let v = m["interval"].flatMap({ reader.duration($0, m.path("interval")) }) { od.interval = v }
        if let v = m["baseEjectionTime"].flatMap({ reader.duration($0, m.path("baseEjectionTime")) }) { od.baseEjectionTime = v }
        if let v = m["maxEjectionPercent"].flatMap({ reader.int($0, m.path("maxEjectionPercent"), in: 0...100) }) { od.maxEjectionPercent = Percentage(Double(v)) }
        if let v = m["minHealthPercent"].flatMap({ reader.int($0, m.path("minHealthPercent"), in: 0...100) }) { od.minHealthPercent = Percentage(Double(v)) }
        return od
    }

    func virtualService(_ node: Node) -> VirtualService? {
        guard let (name, namespace, specNode) = object(node) else { return nil }
        guard let specNode else {
            reader.error(node, base, "VirtualService '\(name)' has no spec")
            return nil
        }
        guard let spec = reader.mapping(specNode, path("spec"), keys: ["hosts", "http"], required: ["hosts"], ignored: ["gateways", "exportTo", "tcp", "tls"]) else { return nil }
        guard let hostsNode = spec["hosts"], let hosts = reader.strings(hostsNode, spec.path("hosts")) else { return nil }
        var routes: [HTTPRoute] = []
        for (i, r) in (spec["http"].flatMap { reader.sequence($0, spec.path("http"), of: "HTTP routes") } ?? []).enumerated() {
            if let route = httpRoute(r, "\(spec.path("http"))[\(i)]", owner: name) { routes.append(route) }
        }
        let known = hosts.compactMap { serviceName(forHost: $0, hostsNode, spec.path("hosts"), owner: "VirtualService '\(name)'") }
        guard !known.isEmpty else { return nil }
        return VirtualService(name: name, namespace: namespace ?? "default", hosts: known, routes: routes)
    }

    private func httpRoute(_ node: Node, _ p: String, owner: String) -> HTTPRoute? {
        let keys = ["name", "match", "route", "timeout", "retries", "fault"]
        let ignored = ["rewrite", "redirect", "directResponse", "delegate", "mirror", "mirrorPercentage", "mirrorPercent", "mirrors", "corsPolicy", "headers"]
        guard let m = reader.mapping(node, p, keys: keys, ignored: ignored) else { return nil }
        var route = HTTPRoute(destinations: [])
        route.name = m["name"].flatMap { reader.string($0, m.path("name")) }
        if let match = m["match"] {
            route.hasMatch = true
            reader.warning(match, m.path("match"), "match conditions are not modelled: Quake's traffic carries no headers, so this route takes none of it")
        }
        for (i, d) in (m["route"].flatMap { reader.sequence($0, m.path("route"), of: "destinations") } ?? []).enumerated() {
            let dp = "\(m.path("route"))[\(i)]"
            guard let dm = reader.mapping(d, dp, keys: ["destination", "weight"], required: ["destination"], ignored: ["headers"]) else { continue }
            guard let dest = dm["destination"], let dmm = reader.mapping(dest, dm.path("destination"), keys: ["host", "subset", "port"], required: ["host"]) else { continue }
            guard let hostNode = dmm["host"], let host = reader.string(hostNode, dmm.path("host")) else { continue }
            let weight = dm["weight"].flatMap { reader.int($0, dm.path("weight"), in: 0...100) } ?? 100
            let service = serviceName(forHost: host, hostNode, dmm.path("host"), owner: "VirtualService '\(owner)'") ?? host
            route.destinations.append(RouteDestination(host: service, subset: dmm["subset"].flatMap { reader.string($0, dmm.path("subset")) }, weight: weight))
        }
        if route.destinations.count > 1 {
            let total = route.destinations.reduce(0) { $0 + $1.weight }
            if total != 100, let n = m["route"] { reader.error(n, m.path("route"), "route weights add up to \(total); Istio requires 100") }
        }
        route.timeout = m["timeout"].flatMap { reader.duration($0, m.path("timeout")) }
        if let r = m["retries"], let rm = reader.mapping(r, m.path("retries"), keys: ["attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities"], ignored: ["retryIgnorePreviousHosts", "backoff"]) {
            // As Istio converts it: no `attempts` means 0, retries off; no `retryOn` keeps Istio's default list.
            let attempts = rm["attempts"].flatMap { reader.int($0, rm.path("attempts"), in: 0...100) } ?? 0
            let on = rm["retryOn"].flatMap { reader.string($0, rm.path("retryOn")) }?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                ?? RetryPolicy.istioDefault(istioVersion: istioVersion).retryOn
            route.retries = RetryPolicy(
                attempts: attempts,
                perTryTimeout: rm["perTryTimeout"].flatMap { reader.duration($0, rm.path("perTryTimeout")) },
                retryOn: on,
                retryRemoteLocalities: rm["retryRemoteLocalities"].flatMap { reader.bool($0, rm.path("retryRemoteLocalities")) } ?? false
            )
        }
        if let f = m["fault"] { route.fault = fault(f, m.path("fault")) }
        return route
    }

    private func fault(_ node: Node, _ p: String) -> HTTPFaultInjection? {
        guard let m = reader.mapping(node, p, keys: ["abort", "delay"]) else { return nil }
        var fault = HTTPFaultInjection()
        if let a = m["abort"], let am = reader.mapping(a, m.path("abort"), keys: ["httpStatus", "percentage"], ignored: ["grpcStatus", "http2Error"]) {
            let status = am["httpStatus"].flatMap { reader.int($0, am.path("httpStatus"), in: 200...599) }
            if let status { fault.abort = (status, faultPercentage(am["percentage"], am.path("percentage"))) }
        }
        if let d = m["delay"], let dm = reader.mapping(d, m.path("delay"), keys: ["fixedDelay", "percentage", "percent"], ignored: ["exponentialDelay"]) {
            let pct = dm["percent"].flatMap { reader.int($0, dm.path("percent"), in: 0...100) }.map { Percentage(Double($0)) } ?? faultPercentage(dm["percentage"], dm.path("percentage"))
            if let delay = dm["fixedDelay"].flatMap({ reader.duration($0, dm.path("fixedDelay")) }) { fault.delay = (delay, pct) }
        }
        return fault
    }

    /// `percentage: {value: 50.0}`; absent means no injection (SEMANTICS.md §3.5).
    private func faultPercentage(_ node: Node?, _ p: String) -> Percentage {
        guard let node, let m = reader.mapping(node, p, keys: ["value"], required: ["value"]) else { return Percentage(0) }
        return m["value"].flatMap { reader.double($0, m.path("value"), in: 0...100) }.map(Percentage.init) ?? Percentage(0)
    }
}
