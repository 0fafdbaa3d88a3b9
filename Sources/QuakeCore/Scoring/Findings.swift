/// Contributing factors and follow-ups, read from the plan's configuration and what the Timeline
/// shows (docs/scoring.md lists every rule).
public enum Findings {
    /// The findings and the follow-ups they suggest, in a stable order.
    public static func derive(plan: Plan, timeline: Timeline, faults: [FaultOutcome], attribution: [ServiceAttribution]) -> (findings: [String], followUps: [String]) {
        var findings: [String] = []
        var followUps: [String] = []
        for a in attribution where a.failures > 0 {
            let service = a.service
            let rule = plan.destinationRule(for: service)
            let count = { (cause: String) in a.causes.first { $0.cause == cause }?.count ?? 0 }
            let blocked = timeline.events.filter { $0.kind == .ejectionBlocked && $0.subject.hasPrefix("\(service)-") }.count
            if blocked > 0, let od = rule?.outlierDetection {
                findings.append("outlierDetection maxEjectionPercent \(od.maxEjectionPercent) blocked \(blocked) ejection\(blocked == 1 ? "" : "s") of failing \(service) hosts: they kept their share of traffic (and counted as healthy for the priority load) until Kubernetes dropped their endpoints")
                followUps.append("Raise maxEjectionPercent in \(rule?.name ?? service)'s outlierDetection, or make sure retries (retryOn connect-failure,5xx) cover the hosts it cannot eject")
            }
            if count("connect failure (UF)") + count("timeout (UT)") > 0, rule?.outlierDetection == nil {
                findings.append("\(service) has no outlierDetection: Istio gives it no locality failover and never ejects a dead endpoint, so dead hosts kept their share until their endpoints were dropped")
                followUps.append("Add outlierDetection (and localityLbSetting failover) to \(service)'s DestinationRule")
            }
            if count("retries exhausted (URX)") > 0 {
                let attempts = plan.virtualService(for: service)?.routes.first { !$0.hasMatch }?.retries?.attempts ?? RetryPolicy.istioDefault(istioVersion: plan.controlPlane.istio).attempts
                findings.append("retries were exhausted \(count("retries exhausted (URX)")) times calling \(service) (\(attempts) retr\(attempts == 1 ? "y" : "ies") per request)")
            }
            if count("no healthy upstream (UH)") > 0 {
                findings.append("\(count("no healthy upstream (UH)")) requests to \(service) found no healthy upstream (UH): every endpoint was ejected or gone" + ((rule?.panicThreshold.percent ?? 50) == 0 ? ", and Istio turns Envoy's panic routing off under outlier detection" : ""))
                followUps.append("Check \(service)'s maxEjectionPercent and spare capacity in other localities; a panic threshold (minHealthPercent) trades errors for load on dead hosts")
            }
            if count("injected abort (FI)") > 0 {
                findings.append("\(count("injected abort (FI)")) requests to \(service) were aborted by the injected fault; while a route carries a fault Istio turns its retries and timeout off, so every abort reached the caller")
            }
            if count("overflow / circuit breaker (UO)") > 0 {
                findings.append("\(count("overflow / circuit breaker (UO)")) requests to \(service) were refused by its connection-pool circuit breaker (UO)")
                followUps.append("Size \(service)'s connectionPool limits for the failover load, or shed load earlier")
            }
            if count("rate limited (RL)") > 0 {
                findings.append("\(count("rate limited (RL)")) requests to \(service) were rate limited (429 RL)")
            }
            if count("application 5xx") > 0 {
                let callees = plan.service(named: service)?.calls ?? []
                findings.append("\(count("application 5xx")) requests to \(service) failed in the application (5xx with no Envoy flag)" + (callees.isEmpty ? "" : ": its calls to \(callees.joined(separator: ", ")) failed, or it erred on its own"))
            }
        }
        let moved = timeline.events.filter { $0.kind == .bindingEvicted }
        if let start = plan.schedule.firstFaultAt, let first = moved.first {
            findings.append("Karmada moved the first workload \(first.at - start) after the first fault (\(first.subject): \(first.detail))")
        } else if plan.schedule.faults.contains(where: { if case .clusterOutage = $0.fault { return true }; if case .regionOutage = $0.fault { return true }; return false }),
                  timeline.events.contains(where: { $0.kind == .clusterNotReady }) {
            findings.append("Karmada saw a cluster fail but moved no workload: from v1.14 only a ClusterTaintPolicy (or a person) adds NoExecute, and eviction needs the Failover gate" + (plan.controlPlane.karmada >= Version(1, 14) ? " and --enable-no-execute-taint-eviction" : ""))
            followUps.append("Add a ClusterTaintPolicy that taints NotReady clusters NoExecute, or plan for workloads staying put")
        }
        let pending = timeline.events.filter { $0.kind == .podCreated && $0.detail.hasPrefix("pending") }.count
        if pending > 0 { findings.append("\(pending) replacement pod\(pending == 1 ? "" : "s") found no schedulable node") }
        for f in faults where !f.verified {
            findings.append("fault not verified: \(f.spec.fault) — \(f.evidence)")
        }
        for leak in leaks(plan: plan, timeline: timeline, faults: faults) { findings.append(leak) }
        return (findings, followUps.uniqued())
    }

    /// Failures outside every fault's intended blast radius while faults were active.
    static func leaks(plan: Plan, timeline: Timeline, faults: [FaultOutcome]) -> [String] {
        var intended: Set<String> = []
        var httpServices: Set<String> = []
        for f in faults {
            switch f.spec.fault {
            case let .httpAbort(s, _, _), let .httpDelay(s, _, _), let .podKill(s, _, _): httpServices.insert(s)
            case .partition: return []
            default:
                let nodes = Set(BlastRadius.nodesDown(by: f.spec.fault, in: plan.topology))
                for n in plan.topology.nodes where nodes.contains(n.name) { intended.insert(n.locality.cluster) }
            }
        }
        guard !intended.isEmpty, httpServices.isEmpty else { return [] }
        var outside: [String: Int] = [:]
        for f in faults {
            let r = timeline.windowIndex(at: f.spec.at)..<(timeline.windowIndex(at: f.revertedAt) + 1)
            for s in timeline.traffic {
                guard let cluster = s.key.destinationCluster, !intended.contains(cluster) else { continue }
                let n = r.reduce(0) { $0 + s.count(of: .upstreamConnectionFailure, window: $1) + s.count(of: .upstreamRequestTimeout, window: $1) }
                if n > 0 { outside[cluster, default: 0] += n }
            }
        }
        return outside.sorted { $0.key < $1.key }.map { "the fault leaked beyond its target: \($0.value) connection failures or timeouts at \($0.key), outside \(intended.sorted().joined(separator: ", "))" }
    }
}

extension Array where Element: Hashable {
    /// The elements in first-seen order, without repeats.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
