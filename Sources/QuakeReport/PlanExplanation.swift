import QuakeCore

/// `quake explain`: a plan rendered as Quake understood it, with every default and every
/// derived fact (placements, Istio priorities per client locality, the fault schedule).
public enum PlanExplanation {
    /// The explanation as plain text, one section after another.
    public static func render(_ plan: Plan) -> String {
        var out = TextBlock()
        out.line("Plan \(plan.metadata.name)" + (plan.metadata.owner.map { " (owner \($0))" } ?? ""))
        if !plan.metadata.description.isEmpty { out.line("  \(plan.metadata.description)") }
        if !plan.metadata.tags.isEmpty { out.line("  tags: \(plan.metadata.tags.joined(separator: ", "))") }
        out.line("  target \(plan.target.kind.rawValue), window \(plan.target.window), seed \(plan.seed), duration \(plan.schedule.duration)")
        topology(plan, &out)
        services(plan, &out)
        priorities(plan, &out)
        controlPlane(plan, &out)
        traffic(plan, &out)
        schedule(plan, &out)
        judging(plan, &out)
        if !plan.warnings.isEmpty {
            out.section("Warnings")
            plan.warnings.forEach { out.line("  \($0)") }
        }
        return out.text
    }

    private static func topology(_ plan: Plan, _ out: inout TextBlock) {
        let t = plan.topology
        out.section("Topology")
        out.line("  latency: same zone \(t.latency.sameZone), cross zone \(t.latency.crossZone), cross region \(t.latency.crossRegion)")
        for region in t.regions {
            out.line("  region \(region.name)")
            for cluster in region.clusters {
                let labels = cluster.labels.isEmpty ? "" : ", labels \(format(cluster.labels))"
                out.line("    cluster \(cluster.name) (Karmada \(cluster.syncMode.rawValue) mode\(cluster.provider.map { ", provider \($0)" } ?? "")\(labels)), \(cluster.nodes.count) nodes, room for \(cluster.podCapacity) pods")
                for zone in cluster.zones {
                    out.line("      zone \(zone.name): \(zone.nodes.map(\.name).joined(separator: ", "))")
                }
            }
        }
    }

    private static func services(_ plan: Plan, _ out: inout TextBlock) {
        out.section("Services and placement (Karmada)")
        for service in plan.services {
            out.line("  \(service.name) (\(service.workloadKind.rawValue) in \(service.namespace), port \(service.port)): \(service.replicas) replicas, service time \(service.serviceTime), errors \(service.errorRate), ready \(service.startupTime) after start" + (service.calls.isEmpty ? "" : ", calls \(service.calls.joined(separator: " → "))") + (service.rateLimit.map { ", local rate limit \($0) per pod" } ?? ""))
            let policy = plan.propagationPolicy(for: service)
            let mode = policy?.replicaScheduling.mode ?? ReplicaScheduling().mode
            let candidates = ReplicaDivision.candidates(for: policy, in: plan.topology)
            let division = ReplicaDivision.divide(replicas: service.replicas, over: candidates, mode: mode)
            let placed = candidates.compactMap { c in division[c.name].map { "\(c.name)=\($0)" } }.joined(separator: ", ")
            out.line("    placement: " + (policy.map { "\($0.kind) \($0.name)" } ?? "no PropagationPolicy selects it: divided evenly over every cluster") + ", \(describe(mode)) → \(placed.isEmpty ? "nowhere" : placed)")
            if let policy, !policy.clusterTolerations.isEmpty {
                out.line("    cluster tolerations: " + policy.clusterTolerations.map { "\($0.key ?? "*"):\($0.effect ?? "*")" + ($0.tolerationSeconds.map { " for \($0)" } ?? " forever") }.joined(separator: "; "))
            }
            if let failover = policy?.failover, let toleration = failover.applicationTolerationSeconds {
                out.line("    application failover after \(toleration) unhealthy, purge mode \(failover.applicationPurgeMode ?? "Gracefully")")
            }
            traffic(for: service, plan, &out)
        }
    }

    private static func traffic(for service: ServiceSpec, _ plan: Plan, _ out: inout TextBlock) {
        let rule = plan.destinationRule(for: service.name)
        let lb = rule?.effectiveLoadBalancer ?? .leastRequest
        let od = rule?.outlierDetection.map { "outlier detection \($0.consecutive5xxErrors) consecutive 5xx / interval \($0.interval) / base ejection \($0.baseEjectionTime) / max \($0.maxEjectionPercent) ejected (max ejection time \($0.maxEjectionTime))" } ?? "no outlier detection (no locality failover; panic threshold 50%)"
        out.line("    Istio: \(lb.rawValue)\(rule?.loadBalancer == nil ? " (Istio's default)" : ""), \(od), panic threshold \(rule?.panicThreshold ?? Percentage(50))")
        let vs = plan.virtualService(for: service.name)
        let route = vs?.routes.first { !$0.hasMatch }
        let retries = route?.retries ?? RetryPolicy.istioDefault(istioVersion: plan.controlPlane.istio)
        let retryText = retries.attempts == 0 ? "no retries" : "\(retries.attempts) retries on \(retries.retryOn.joined(separator: ","))" + (retries.perTryTimeout.map { ", \($0) per try" } ?? "") + (route?.retries == nil ? " (Istio \(plan.controlPlane.istio) default)" : "")
        var routeText = "    route: \(route?.timeout.map { "timeout \($0)" } ?? "no timeout"), \(retryText)"
        if let fault = route?.fault {
            if let a = fault.abort { routeText += ", fault abort \(a.status) on \(a.percentage)" }
            if let d = fault.delay { routeText += ", fault delay \(d.duration) on \(d.percentage)" }
            routeText += " (a faulted route loses its retries and timeout)"
        }
        if let route, route.destinations.count > 1 {
            routeText += ", weights " + route.destinations.map { "\($0.host)\($0.subset.map { "/\($0)" } ?? "")=\($0.weight)" }.joined(separator: " ")
        }
        out.line(routeText)
        if let pool = rule?.connectionPool, pool != ConnectionPool() {
            out.line("    connection pool: max connections \(limit(pool.maxConnections)), pending \(limit(pool.maxPendingRequests)), requests \(limit(pool.maxRequests)), retries \(limit(pool.maxRetries)), connect timeout \(pool.connectTimeout)")
        }
    }

    private static func priorities(_ plan: Plan, _ out: inout TextBlock) {
        var clients: [Locality] = []
        for load in plan.traffic where !clients.contains(load.from) { clients.append(load.from) }
        if clients.isEmpty { clients = plan.topology.clusters.flatMap { c in c.zones.prefix(1).map { Locality(region: c.region, cluster: c.name, zone: $0.name) } } }
        out.section("Istio priorities per client locality (Envoy P0 first)")
        let endpoints = plan.topology.clusters.flatMap { c in c.zones.map { Locality(region: c.region, cluster: c.name, zone: $0.name) } }
        for service in plan.services {
            let rule = plan.destinationRule(for: service.name)
            out.line("  \(service.name)" + (rule?.locality.map { setting in
                setting.failoverPriority.isEmpty && setting.failover.isEmpty ? "" : ": failoverPriority [\(setting.failoverPriority.joined(separator: ", "))], failover \(setting.failover.map { "\($0.from)→\($0.to)" }.joined(separator: ", "))"
            } ?? ""))
            if let setting = rule?.locality, !setting.distribute.isEmpty {
                for d in setting.distribute { out.line("    from \(d.from): " + d.to.map { "\($0.pattern) \($0.weight)%" }.joined(separator: ", ")) }
                continue
            }
            for client in clients {
                let map = LocalityPriority.priorities(client: client, endpoints: endpoints, setting: rule?.locality, hasOutlierDetection: rule?.outlierDetection != nil)
                let levels = Dictionary(grouping: endpoints, by: { map[$0] ?? 0 }).sorted { $0.key < $1.key }
                out.line("    from \(client): " + levels.map { "P\($0.key) " + $0.value.map { "\($0.cluster)/\($0.zone)" }.joined(separator: " ") }.joined(separator: " | "))
            }
        }
    }

    private static func controlPlane(_ plan: Plan, _ out: inout TextBlock) {
        let cp = plan.controlPlane
        out.section("Control plane")
        out.line("  Kubernetes \(cp.kubernetes), Karmada \(cp.karmada), Istio \(cp.istio)")
        out.line("  Karmada features: Failover \(cp.karmadaFeatures.failover ? "on" : "off"), no-execute taint eviction \(cp.karmadaFeatures.noExecuteTaintEviction ? "on" : "off"), graceful eviction \(cp.karmadaFeatures.gracefulEviction ? "on" : "off")")
        out.line("  Karmada taints a failed cluster NoExecute by itself: \(cp.karmadaTaintsFailedClusters ? "yes (≤1.13 with Failover)" : "no (needs a ClusterTaintPolicy or a person)")")
        for policy in plan.clusterTaintPolicies {
            out.line("  ClusterTaintPolicy \(policy.name): taints " + policy.taints.map { "\($0.key):\($0.effect)" }.joined(separator: ", ") + " when " + policy.addOnConditions.map { "\($0.conditionType) \($0.op) \($0.statusValues.joined(separator: "|"))" }.joined(separator: " and "))
        }
        let defaults = Timings.defaults(kubernetes: cp.kubernetes)
        out.line("  timings:")
        for key in Timings.keys {
            let value = cp.timings.text(of: key) ?? "?"
            let note = value == defaults.text(of: key) ? "" : " (plan; default \(defaults.text(of: key) ?? "?"))"
            out.line("    \(key): \(value)\(note)")
        }
    }

    private static func traffic(_ plan: Plan, _ out: inout TextBlock) {
        out.section("Traffic")
        if plan.traffic.isEmpty { out.line("  none") }
        for load in plan.traffic {
            out.line("  \(load.from) → \(load.to) \(load.path): \(load.rate), \(load.arrival.rawValue)" + (load.rampFrom.map { ", ramp from \($0) over \(load.rampDuration)" } ?? ""))
        }
        for probe in plan.probes {
            let target: String
            switch probe.target {
            case let .service(s, from): target = "\(s)\(probe.path) from \(from)"
            case let .url(u): target = u
            }
            out.line("  probe \(probe.name): \(target) every \(probe.interval), timeout \(probe.timeout), expects \(probe.expectStatus)")
        }
    }

    private static func schedule(_ plan: Plan, _ out: inout TextBlock) {
        out.section("Fault schedule")
        var rows: [(TimeSpan, String)] = []
        for f in plan.schedule.faults {
            let end = f.end(experimentDuration: plan.schedule.duration)
            rows.append((f.at, "\(f.at)–\(end)  \(f.fault)"))
        }
        for p in plan.schedule.procedures {
            rows.append((p.at, "\(p.at)–\(p.end)  \(p.name)"))
            for (start, step) in zip(p.stepStarts, p.steps) {
                rows.append((start, "  \(start)  step \(step.action)" + (step.wait > .zero ? ", then wait \(step.wait)" : "")))
            }
        }
        if rows.isEmpty { out.line("  nothing is broken (a baseline run)") }
        for row in rows.sorted(by: { $0.0 < $1.0 }) { out.line("  \(row.1)") }
        let s = plan.safety
        out.line("  safety: nodes down ≤ \(s.maxNodesDown), zones down ≤ \(s.maxZonesDown), clusters down ≤ \(s.maxClustersDown), whole region \(s.allowWholeRegion ? "allowed" : "never"), every cluster \(s.allowAllClusters ? "allowed" : "never"); protected: \(s.protected.joined(separator: ", "))")
    }

    private static func judging(_ plan: Plan, _ out: inout TextBlock) {
        out.section("SLOs")
        if plan.slos.isEmpty { out.line("  none") }
        for slo in plan.slos {
            out.line("  \(slo.name): \(slo.sli) \(slo.objective)" + (slo.window.map { " over \($0) windows" } ?? " over the whole run") + (slo.weight != 1 ? ", weight \(slo.weight)" : ""))
        }
        out.section("Stop conditions")
        if plan.stopConditions.isEmpty { out.line("  none") }
        plan.stopConditions.forEach { out.line("  \($0)") }
    }

    private static func describe(_ mode: ReplicaScheduling.Mode) -> String {
        switch mode {
        case .duplicated: return "Duplicated"
        case let .staticWeights(w): return w.isEmpty ? "Divided, equal weights" : "Divided, static weights " + w.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        case .dynamicWeight: return "Divided, dynamic weight by available replicas"
        case .aggregated: return "Divided, aggregated"
        }
    }

    private static func format(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    private static func limit(_ n: Int) -> String { n == ConnectionPool.unlimited ? "unlimited" : "\(n)" }
}

/// Text built line by line, with blank-line-separated sections.
struct TextBlock {
    private(set) var text = ""

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func section(_ title: String) { text += "\n" + title + "\n" }
}
