import QuakeCore
import Testing

/// SLI formulas, verdicts and the score on hand-made timelines (docs/scoring.md).
@Suite struct ScoringTests {
    /// A one-cluster plan with service `svc`, faults as given, and SLOs as given.
    static func plan(slos: [SLOSpec], faults: [FaultSpec] = [FaultSpec(at: .seconds(10), duration: .seconds(10), fault: .httpAbort(service: "svc", status: 503, percentage: Percentage(50)))], stop: [StopCondition] = []) -> Plan {
        let locality = Locality(region: "r", cluster: "c", zone: "z")
        let topology = Topology(regions: [Region(name: "r", clusters: [Cluster(name: "c", region: "r", zones: [Zone(name: "z", nodes: [ClusterNode(name: "n", locality: locality)])])])])
        return Plan(metadata: PlanMetadata(name: "t"), topology: topology, services: [ServiceSpec(name: "svc", replicas: 2, serviceTime: .fixed(.milliseconds(1)))],
                    propagationPolicies: [], clusterTaintPolicies: [], destinationRules: [], virtualServices: [], controlPlane: ControlPlane(),
                    traffic: [LoadSpec(from: locality, to: "svc", rate: Rate(perSecond: 100))], probes: [], slos: slos, stopConditions: stop,
                    safety: SafetyPolicy(), schedule: Schedule(duration: .seconds(40), faults: faults), target: TargetSettings(), seed: 1, warnings: [])
    }

    /// 40 one-second windows of 100 requests; `failures[w]` of them failed (with FI when `injected`), p99 from `latencyMs`.
    static func timeline(failures: [Int: Int], latencyMs: (Int) -> Double = { _ in 10 }, injected: Bool = true, replicas: (Int) -> Int = { _ in 2 }) -> Timeline {
        var t = Timeline(window: .seconds(1), windowCount: 40)
        var requests = [UInt32](repeating: 100, count: 40), successes = requests
        var classes = [UInt32](repeating: 0, count: 40 * 6), flags = [UInt32](repeating: 0, count: 40 * ResponseFlags.count)
        let fi = ResponseFlags.index(of: .faultInjected) ?? 0
        for w in 0..<40 {
            let f = failures[w] ?? 0
            successes[w] = UInt32(100 - f)
            classes[w * 6 + 2] = UInt32(100 - f)
            classes[w * 6 + 5] = UInt32(f)
            if injected { flags[w * ResponseFlags.count + fi] = UInt32(f) }
        }
        requests[0] = 100
        let locality = Locality(region: "r", cluster: "c", zone: "z")
        t.add(TrafficSeries(key: TrafficKey(service: "svc", client: locality, destinationCluster: "c"), requests: requests, successes: successes, statusClasses: classes, flags: flags))
        t.add(LatencySeries(key: LatencyKey(service: "svc", client: locality), histograms: (0..<40).map { w in
            var h = LatencyHistogram()
            for _ in 0..<100 { h.record(.milliseconds(latencyMs(w))) }
            return h
        }))
        let series = t.replicaSeries(ReplicaKey(service: "svc", cluster: "c"))
        for w in 0..<40 { t.setReplicas(series: series, window: w, ready: replicas(w)) }
        return t
    }

    func slo(_ name: String, _ sli: SLI, _ comparison: Objective.Comparison, _ threshold: Double, _ unit: ObjectiveUnit, window: TimeSpan? = nil, within: TimeSpan? = nil) -> SLOSpec {
        SLOSpec(name: name, sli: sli, objective: Objective(comparison: comparison, threshold: threshold, unit: unit, within: within), window: window)
    }

    @Test func successRatioOverTheWholeRunAndItsWorstWindow() {
        // 10 windows with 5 failures each out of 4,000 requests: 98.75 % overall, 95 % in the worst 5 s window.
        let failures = Dictionary(uniqueKeysWithValues: (10..<20).map { ($0, 5) })
        let card = Scorer.score(plan: Self.plan(slos: [
            slo("overall", .successRatio(service: "svc", from: nil), .atLeast, 98, .percentage),
            slo("windowed", .successRatio(service: "svc", from: nil), .atLeast, 98, .percentage, window: .seconds(5)),
        ]), timeline: Self.timeline(failures: failures))
        #expect(card.slos[0].value == 98.75 && card.slos[0].verdict == .pass)
        #expect(card.slos[1].value == 95 && card.slos[1].verdict == .fail)
        #expect(card.slos[1].firstBreach == .seconds(15), "the first 5 s window that breaches ends at 15 s")
        #expect(card.verdict == .fail)
    }

    @Test func latencyPercentileIsTheWorstWindow() throws {
        let card = Scorer.score(plan: Self.plan(slos: [slo("p99", .latency(service: "svc", percentile: 99), .atMost, 0.1, .duration, window: .seconds(1))]),
                                timeline: Self.timeline(failures: [12: 1], latencyMs: { $0 == 15 ? 400 : 10 }))
        let value = try #require(card.slos[0].value)
        #expect(abs(value - 0.4) < 0.4 * 0.07, "p99 of the slow window ≈ 400 ms (histogram precision): \(value)")
        #expect(card.slos[0].verdict == .fail)
    }

    @Test func errorBudgetBurnAndThroughputAndErrorCount() {
        let card = Scorer.score(plan: Self.plan(slos: [
            slo("burn", .errorBudgetBurn(service: "svc", target: Percentage(99)), .atMost, 2, .number),
            slo("rate", .throughput(service: "svc"), .atLeast, 100, .rate),
            slo("errors", .errorCount(service: "svc"), .atMost, 0, .number),
        ]), timeline: Self.timeline(failures: [12: 40]))
        // 40 failures in 4,000: 99 % success → burn (1 − 0.99)/(1 − 0.99) = 1.
        #expect(abs((card.slos[0].value ?? 0) - 1) < 1e-9 && card.slos[0].verdict == .pass)
        #expect(card.slos[1].value == 100 && card.slos[1].verdict == .pass)
        #expect(card.slos[2].value == 40 && card.slos[2].verdict == .fail)
    }

    @Test func timeToRecoverCountsFromTheFaultToFiveHealthyWindows() {
        // Unhealthy windows 12–15 (below 99 %), healthy from 16: recovered at 16 s, 6 s after the 10 s fault.
        let failures = Dictionary(uniqueKeysWithValues: (12..<16).map { ($0, 10) })
        let card = Scorer.score(plan: Self.plan(slos: [slo("ttr", .timeToRecover(service: "svc"), .atMost, 30, .duration)]), timeline: Self.timeline(failures: failures))
        #expect(card.slos[0].value == 6)
        #expect(card.metrics.timeToRecover == .seconds(6))
        #expect(card.metrics.timeToDetect == .seconds(2))
    }

    /// A source that stopped answering at 16 s (windows 16–39 have no requests and are marked
    /// unobserved): those windows are no data, not a service without traffic or without errors,
    /// and the recovery after the fault at 10 s cannot be told.
    @Test func windowsWhoseTrafficWasNotObservedAreNoData() {
        let observed = Self.timeline(failures: Dictionary(uniqueKeysWithValues: (12..<16).map { ($0, 10) }))
        var t = Timeline(window: .seconds(1), windowCount: 40)
        for series in observed.traffic {
            let keep = { (values: [UInt32], width: Int) in values.enumerated().map { $0.offset / width < 16 ? $0.element : 0 } }
            t.add(TrafficSeries(key: series.key, requests: keep(series.requests, 1), successes: keep(series.successes, 1),
                                statusClasses: keep(series.statusClasses, 6), flags: keep(series.flags, ResponseFlags.count)))
        }
        t.unobservedTraffic["svc"] = Set(16..<40)
        let plan = Self.plan(slos: [
            slo("rate", .throughput(service: "svc"), .atLeast, 90, .rate, window: .seconds(5)),
            slo("errors", .errorCount(service: "svc"), .atMost, 100, .number, window: .seconds(5)),
            slo("ttr", .timeToRecover(service: "svc"), .atMost, 30, .duration),
        ], stop: [StopCondition(sli: .throughput(service: "svc"), condition: Objective(comparison: .below, threshold: 1, unit: .rate), duration: .seconds(1))])
        let card = Scorer.score(plan: plan, timeline: t)
        #expect(card.abort == nil, "no stop condition trips on windows nobody saw")
        #expect(card.slos[0].value == 100 && card.slos[0].verdict == .pass, "\(card.slos[0])")
        #expect(card.slos[1].value == 40 && card.slos[1].verdict == .pass, "\(card.slos[1])")
        #expect(card.slos[2].verdict == .inconclusive && card.slos[2].reason.contains("was not observed"), "\(card.slos[2])")
        #expect(card.metrics.timeToRecover == nil && card.metrics.timeToDetect == nil)
        #expect(TimelineQuery(t, service: "svc").throughput(20..<30) == nil)
    }

    @Test func neverRecoveringFails() {
        let failures = Dictionary(uniqueKeysWithValues: (12..<40).map { ($0, 10) })
        let card = Scorer.score(plan: Self.plan(slos: [slo("ttr", .timeToRecover(service: "svc"), .atMost, 30, .duration)]), timeline: Self.timeline(failures: failures))
        #expect(card.slos[0].verdict == .fail && card.slos[0].value == nil)
        #expect(card.slos[0].reason.contains("did not recover"))
    }

    @Test func replicasWithinATimeAfterTheFault() {
        let card = Scorer.score(plan: Self.plan(slos: [
            slo("back", .replicasReady(service: "svc"), .atLeast, 2, .number, within: .seconds(15)),
            slo("fast", .replicasReady(service: "svc"), .atLeast, 2, .number, within: .seconds(5)),
        ]), timeline: Self.timeline(failures: [12: 1], replicas: { $0 >= 11 && $0 < 20 ? 1 : 2 }))
        #expect(card.slos[0].value == 2 && card.slos[0].verdict == .pass, "at 25 s both replicas are back")
        #expect(card.slos[1].value == 1 && card.slos[1].verdict == .fail, "at 15 s one is missing")
    }

    @Test func aCrashThatRetriesHidIsVerifiedByWhatTheProxiesCounted() {
        let crash = FaultSpec(at: .seconds(10), duration: .seconds(3), fault: .nodeCrash(node: "n"))
        let plan = Self.plan(slos: [slo("avail", .successRatio(service: "svc", from: nil), .atLeast, 95, .percentage)], faults: [crash])
        var timeline = Self.timeline(failures: [:], injected: false)
        var card = Scorer.score(plan: plan, timeline: timeline)
        #expect(card.faults.first?.verified == false, "no failure, flag or event: nothing shows the crash")
        #expect(card.slos[0].verdict == .inconclusive)
        // What the lab's Envoys counted before and after it (retries hid every failure).
        timeline.events.append(TimelineEvent(at: .seconds(13), kind: .faultCounted, subject: crash.fault.description, detail: "12 failed connections or timeouts to svc"))
        card = Scorer.score(plan: plan, timeline: timeline)
        #expect(card.faults.first?.verified == true)
        #expect(card.faults.first?.evidence == "Envoy: 12 failed connections or timeouts to svc")
        #expect(card.slos[0].verdict == .pass)
        // A count from before the fault is no evidence of it.
        timeline.events[timeline.events.count - 1].at = .seconds(5)
        #expect(Scorer.score(plan: plan, timeline: timeline).faults.first?.verified == false)
    }

    @Test func threeValuedVerdicts() {
        // No data: a service nobody calls is inconclusive.
        var plan = Self.plan(slos: [slo("other", .successRatio(service: "svc", from: Locality(region: "r", cluster: "c", zone: "elsewhere")), .atLeast, 99, .percentage)])
        var card = Scorer.score(plan: plan, timeline: Self.timeline(failures: [12: 1]))
        #expect(card.slos[0].verdict == .inconclusive && card.slos[0].reason.hasPrefix("no data"))
        #expect(card.verdict == .inconclusive && card.score == nil)
        // Baseline already breached before the fault.
        plan = Self.plan(slos: [slo("avail", .successRatio(service: "svc", from: nil), .atLeast, 99.9, .percentage, window: .seconds(1))])
        card = Scorer.score(plan: plan, timeline: Self.timeline(failures: [3: 5]))
        #expect(card.slos[0].verdict == .inconclusive && card.slos[0].reason.hasPrefix("baseline already breached"))
        // A fault that never took effect: no FI flag during an http-abort.
        card = Scorer.score(plan: Self.plan(slos: [slo("avail", .successRatio(service: "svc", from: nil), .atLeast, 90, .percentage)]), timeline: Self.timeline(failures: [:], injected: false))
        #expect(card.slos[0].verdict == .inconclusive && card.slos[0].reason.hasPrefix("fault not verified"))
        #expect(card.faults.first?.verified == false)
    }

    @Test func scoreIsTheWeightedBudgetLeftAndStaysInRange() {
        let card = Scorer.score(plan: Self.plan(slos: [
            SLOSpec(name: "a", sli: .successRatio(service: "svc", from: nil), objective: Objective(comparison: .atLeast, threshold: 98, unit: .percentage), weight: 3),
            SLOSpec(name: "b", sli: .errorCount(service: "svc"), objective: Objective(comparison: .atMost, threshold: 100, unit: .number), weight: 1),
        ]), timeline: Self.timeline(failures: [12: 40]))
        // a: 99 % against 98 % leaves (99 − 98)/(100 − 98) = 0.5; b: 40 of 100 allowed leaves 0.6 → (3·0.5 + 0.6)/4 = 52.5.
        #expect(abs((card.score ?? 0) - 52.5) < 1e-9)
        for value in [-1e9, -1, 0, 50, 99.999, 100, 1e9, .nan, .infinity] {
            for objective in [Objective(comparison: .atLeast, threshold: 99, unit: .percentage), Objective(comparison: .atMost, threshold: 0.25, unit: .duration),
                              Objective(comparison: .atLeast, threshold: 6, unit: .number), Objective(comparison: .below, threshold: 0, unit: .number)] {
                let left = ResilienceScore.budgetLeft(value: value, objective: objective)
                #expect(left >= 0 && left <= 1, "\(value) vs \(objective): \(left)")
            }
        }
    }

    @Test func aStopConditionAbortsTheRun() {
        let failures = Dictionary(uniqueKeysWithValues: (12..<20).map { ($0, 30) })
        let stop = StopCondition(sli: .successRatio(service: "svc", from: nil), condition: Objective(comparison: .below, threshold: 80, unit: .percentage), duration: .seconds(3))
        let card = Scorer.score(plan: Self.plan(slos: [slo("avail", .successRatio(service: "svc", from: nil), .atLeast, 50, .percentage)], stop: [stop]), timeline: Self.timeline(failures: failures))
        #expect(card.verdict == .aborted)
        #expect(card.abort?.at == .seconds(15), "three windows below 80 % from 12 s: tripped at the end of window 14")
    }

    @Test func attributionClassesFailuresByFlag() {
        let card = Scorer.score(plan: Self.plan(slos: []), timeline: Self.timeline(failures: [12: 7]))
        let svc = card.attribution.first
        #expect(svc?.failures == 7)
        #expect(svc?.causes.first?.cause == "injected abort (FI)" && svc?.causes.first?.count == 7)
        #expect(!(svc?.causes.contains { $0.cause == "application 5xx" } ?? true))
    }
}

/// PromQL SLIs: values from the target's Prometheus, read in the objective's unit.
@Suite struct PromQLScoringTests {
    @Test func aRatioQueryIsJudgedAsAPercentage() {
        let query = "sum(rate(istio_requests_total{response_code!~\"5..\"}[1m])) / sum(rate(istio_requests_total[1m]))"
        let slo = SLOSpec(name: "mesh availability", sli: .promQL(query: query, unit: .percentage), objective: Objective(comparison: .atLeast, threshold: 99, unit: .percentage), window: .seconds(10))
        var timeline = ScoringTests.timeline(failures: [12: 1])
        timeline.add(MetricSeries(query: query, values: (0..<40).map { $0 == 3 ? nil : ($0 >= 20 && $0 < 25 ? 0.9 : 0.999) }))
        let card = Scorer.score(plan: ScoringTests.plan(slos: [slo]), timeline: timeline)
        // The worst 10 s window holds five windows at 90 % and five at 99.9 %: 94.95 %.
        #expect(abs((card.slos[0].value ?? 0) - 94.95) < 1e-9)
        #expect(card.slos[0].verdict == .fail)
    }

    @Test func withoutPrometheusItIsInconclusive() {
        let slo = SLOSpec(name: "q", sli: .promQL(query: "up", unit: .number), objective: Objective(comparison: .atLeast, threshold: 1, unit: .number))
        let card = Scorer.score(plan: ScoringTests.plan(slos: [slo]), timeline: ScoringTests.timeline(failures: [12: 1]))
        #expect(card.slos[0].verdict == .inconclusive && card.slos[0].reason.contains("Prometheus"))
    }
}
