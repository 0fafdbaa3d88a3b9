import QuakeCore

extension RunRecord {
    /// The record of a run of `plan` that produced `timeline`, judged as `scorecard`.
    public init(plan: Plan, timeline: Timeline, scorecard: Scorecard, target: TargetKind, seed: UInt64, startedAt: String, wallSeconds: Double) {
        self.plan = plan.metadata.name
        description = plan.metadata.description
        owner = plan.metadata.owner
        tags = plan.metadata.tags
        self.target = target.rawValue
        self.seed = seed
        self.startedAt = startedAt
        durationSeconds = plan.schedule.duration.seconds
        self.wallSeconds = wallSeconds
        verdict = scorecard.verdict.rawValue
        score = scorecard.score.map { ($0 * 10).rounded() / 10 }
        excludedFromScore = scorecard.slos.filter { $0.verdict == .inconclusive }.map(\.slo.name)
        slos = scorecard.slos.map { r in
            SLO(name: r.slo.name, sli: r.slo.sli.description, objective: r.slo.objective.description, value: r.value.map(Self.round),
                valueText: r.valueText, verdict: r.verdict.rawValue, reason: r.reason, weight: r.slo.weight,
                window: r.slo.window?.description, budgetLeft: r.budgetLeft.map(Self.round))
        }
        faults = scorecard.faults.map { f in
            Fault(kind: f.spec.fault.kind.rawValue, target: f.spec.fault.target, description: f.spec.fault.description,
                  injectedAt: f.spec.at.seconds, revertedAt: f.revertedAt.seconds, verified: f.verified, evidence: f.evidence)
        }
        abort = scorecard.abort.map { abort in
            switch abort.cause {
            case let .stopCondition(condition): return Abort(cause: Abort.stopCondition, condition: condition.description, at: abort.at.seconds)
            case let .killSwitch(reason): return Abort(cause: Abort.killSwitch, condition: reason, at: abort.at.seconds)
            }
        }
        metrics = Metrics(timeToDetectSeconds: scorecard.metrics.timeToDetect?.seconds, timeToRecoverSeconds: scorecard.metrics.timeToRecover?.seconds,
                          failedRequests: scorecard.metrics.failedRequests, totalRequests: scorecard.metrics.totalRequests,
                          errorBudgetBurn: scorecard.metrics.errorBudgetBurn.map(Self.round))
        var entry: [String] = []
        for load in plan.traffic where !entry.contains(load.to) { entry.append(load.to) }
        let n = timeline.windowCount
        let services = entry.map { service -> ServiceSeries in
            let q = TimelineQuery(timeline, service: service)
            return ServiceSeries(service: service, requests: q.requests, successes: q.successes,
                                 p99Milliseconds: (0..<n).map { w in q.latency[w].value(atPercentile: 99).map { Self.round($0.seconds * 1000) } })
        }
        var clusters: [ClusterSeries] = []
        for service in entry {
            for cluster in plan.topology.clusters {
                var successes = [Int](repeating: 0, count: n)
                for s in timeline.traffic where s.key.service == service && s.key.destinationCluster == cluster.name {
                    for w in 0..<n { successes[w] += Int(s.successes[w]) }
                }
                if successes.contains(where: { $0 > 0 }) {
                    clusters.append(ClusterSeries(service: service, cluster: cluster.name, region: cluster.region, successes: successes))
                }
            }
        }
        let replicas = timeline.replicas.filter { $0.ready.contains { $0 > 0 } }.map { ReplicaSeriesRecord(service: $0.key.service, cluster: $0.key.cluster, ready: $0.ready) }
        self.timeline = TimelineRecord(windowSeconds: timeline.window.seconds,
                                       events: timeline.events.map { Event(at: $0.at.seconds, kind: $0.kind.rawValue, subject: $0.subject, detail: $0.detail) },
                                       services: services, clusters: clusters, replicas: replicas,
                                       probes: timeline.probes.map { ProbeSeriesRecord(name: $0.name, checks: $0.checks.map(Int.init), passes: $0.passes.map(Int.init)) })
        attribution = scorecard.attribution.map { a in
            ServiceFailures(service: a.service, requests: a.requests, failures: a.failures,
                            causes: a.causes.map { Count(name: $0.cause, count: $0.count) }, clusters: a.clusters.map { Count(name: $0.cluster, count: $0.count) })
        }
        findings = scorecard.findings
        followUps = scorecard.followUps
        warnings = plan.warnings + timeline.warnings
        repeats = nil
    }

    /// Six significant decimals, so records read well and compare exactly.
    static func round(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }
}
