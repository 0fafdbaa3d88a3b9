/// Whether each scheduled fault took effect, from what the Timeline shows: injected-fault flags
/// for HTTP faults; for node, zone, cluster and region faults a node or cluster going NotReady,
/// or connection failures and timeouts at the clusters they hit, or else what the proxies counted
/// of them (a `fault-counted` event, when retries hid them from every request); pods deleted for a
/// pod kill.
public enum FaultVerification {
    /// Every fault of the plan with its verdict and evidence.
    public static func outcomes(plan: Plan, timeline: Timeline) -> [FaultOutcome] {
        plan.schedule.faults.map { spec in
            let end = spec.end(experimentDuration: plan.schedule.duration)
            let range = timeline.windowIndex(at: spec.at)..<(timeline.windowIndex(at: max(spec.at, end - TimeSpan(microseconds: 1))) + 1)
            let during = { (e: TimelineEvent) in e.at >= spec.at && e.at <= end }
            // What the proxies themselves counted, where the target reads their stats (the lab).
            let counted = { (service: String) in
                timeline.events.first { $0.kind == .faultCounted && $0.subject == service && $0.at >= spec.at }.map { "; Envoy: \($0.detail)" } ?? ""
            }
            var evidence: String?
            switch spec.fault {
            case let .httpAbort(service, _, _):
                let n = timeline.count(of: .faultInjected, service: service, range)
                if n > 0 { evidence = "\(n) requests aborted with FI" + counted(service) }
            case let .httpDelay(service, _, _):
                let n = timeline.count(of: .delayInjected, service: service, range)
                if n > 0 { evidence = "\(n) requests delayed with DI" + counted(service) }
            case .podKill:
                let n = timeline.events.filter { $0.kind == .podKilled && during($0) && $0.detail == "pod-kill" }.count
                if n > 0 { evidence = "\(n) pods deleted" }
            case .partition:
                let n = failures(timeline, clusters: nil, range)
                if n > 0 { evidence = "\(n) requests timed out or failed to connect across it" }
            default:
                let nodes = Set(BlastRadius.nodesDown(by: spec.fault, in: plan.topology))
                let clusters = Set(plan.topology.nodes.filter { nodes.contains($0.name) }.map(\.locality.cluster))
                if let e = timeline.events.first(where: { during($0) && (($0.kind == .nodeNotReady && nodes.contains($0.subject)) || ($0.kind == .clusterNotReady && clusters.contains($0.subject))) }) {
                    evidence = "\(e.subject) went NotReady at \(e.at)"
                } else {
                    let n = failures(timeline, clusters: clusters, range)
                    if n > 0 {
                        evidence = "\(n) connection failures or timeouts at \(clusters.sorted().joined(separator: ", "))"
                    } else if let e = timeline.events.first(where: { $0.kind == .faultCounted && $0.subject == spec.fault.description && $0.at >= spec.at }) {
                        // Retries hid it from every request; the proxies still counted it (the lab).
                        evidence = "Envoy: \(e.detail)"
                    }
                }
            }
            return FaultOutcome(spec: spec, revertedAt: end, verified: evidence != nil,
                                evidence: evidence ?? "nothing in the run shows it: no flag, event or failure where it should have acted")
        }
    }

    /// Requests that failed to connect (UF) or timed out (UT), optionally only at some destination clusters.
    private static func failures(_ timeline: Timeline, clusters: Set<String>?, _ r: Range<Int>) -> Int {
        timeline.traffic.filter { s in clusters.map { set in s.key.destinationCluster.map(set.contains) ?? false } ?? true }.reduce(0) { sum, s in
            sum + r.reduce(0) { $0 + s.count(of: .upstreamConnectionFailure, window: $1) + s.count(of: .upstreamRequestTimeout, window: $1) }
        }
    }
}
