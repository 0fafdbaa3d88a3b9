import QuakeCore
import QuakeModel
import QuakeTestSupport
import Testing

/// The canary-upgrade procedure, pod kills, partitions and injected HTTP faults in the model.
@Suite struct ProcedureAndFaultTests {
    static let base = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: procedures}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 3}}
              cluster2: {zones: {b: 3}}
            region2:
              cluster3: {zones: {c: 3}}
        services:
          svc: {replicas: 6, serviceTime: 2ms}
        controlPlane:
          karmada: "1.13"
          karmadaFeatures: {failover: true}
        traffic:
          - {from: region1/cluster1/a, to: svc, rate: 50/s}
        safety: {allowWholeRegion: true}
        """

    @Test func canaryUpgradeMovesTrafficAndWorkloadsAwayAndBack() throws {
        let plan = Self.base + """

            schedule:
              duration: 40m
              procedures:
                - {at: 2m, procedure: cluster-canary-upgrade, cluster: cluster2, services: [svc], upgradeTakes: 5m, settle: 3m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        // Traffic to cluster2 stops with the shift (2m), workloads leave after the migration (2m30s + eviction).
        let during = ModelFixtures.traffic(timeline, service: "svc", from: 150, to: 600, destination: "cluster2")
        #expect(during.requests == 0, "no request reaches cluster2 while its weight is 0")
        #expect(ModelFixtures.errorRatio(timeline, service: "svc", from: 120, to: 2400) < 0.001)
        let evicted = try #require(ModelFixtures.firstEvent(timeline, .bindingEvicted))
        #expect(evicted >= 150 && evicted < 160, "the chaos taint is not tolerated: eviction at once (\(evicted) s)")
        #expect(timeline.events.contains { $0.kind == .procedureStep && $0.detail.hasPrefix("check passed: cluster2") })
        let cluster2 = try #require(timeline.replicas.first { $0.key.cluster == "cluster2" })
        #expect(cluster2.ready[timeline.windowIndex(at: .minutes(8))] == 0, "cluster2 is empty during its upgrade")
        #expect(cluster2.ready[timeline.windowCount - 1] == 2, "the rebalance brings its share back")
        let after = ModelFixtures.traffic(timeline, service: "svc", from: 1500, to: 2400, destination: "cluster2")
        #expect(after.successes > 0, "traffic comes back once the weight is restored")
    }

    @Test func podKillIsReplacedAtOnce() throws {
        let plan = Self.base + """

            schedule:
              duration: 3m
              faults:
                - {at: 1m, fault: pod-kill, service: svc, count: 2}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let killed = timeline.events.filter { $0.kind == .podKilled }
        #expect(killed.count == 2)
        let created = timeline.events.filter { $0.kind == .podCreated }
        #expect(created.count == 2 && created.allSatisfy { $0.at == .minutes(1) })
        let total = timeline.replicas.filter { $0.key.service == "svc" }.reduce(0) { $0 + $1.ready[timeline.windowCount - 1] }
        #expect(total == 6)
    }

    @Test func aPartitionMakesRequestsAcrossItTimeOut() throws {
        let plan = Self.base.replacingOccurrences(of: "services:\n  svc: {replicas: 6, serviceTime: 2ms}", with: """
            services:
              svc: {replicas: 6, serviceTime: 2ms}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: VirtualService
                  metadata: {name: svc}
                  spec:
                    hosts: [svc]
                    http: [{route: [{destination: {host: svc}}], timeout: 1s, retries: {attempts: 0}}]
            """) + """

            schedule:
              duration: 4m
              faults:
                - {at: 1m, fault: partition, between: [region1/cluster1, region2], for: 2m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let series = timeline.traffic.filter { $0.key.service == "svc" && $0.key.destinationCluster == "cluster3" }
        let w = timeline.windowIndex(at: .seconds(90))
        let timeouts = series.reduce(0) { $0 + $1.count(of: .upstreamRequestTimeout, window: w) }
        #expect(timeouts > 0, "requests from cluster1 to region2 hang until the 1 s route timeout")
        #expect(ModelFixtures.errorRatio(timeline, service: "svc", from: 200, to: 240) == 0, "after the partition heals")
    }

    @Test func injectedAbortIsCountedAsFaultInjected() throws {
        let plan = Self.base + """

            schedule:
              duration: 3m
              faults:
                - {at: 1m, fault: http-abort, service: svc, status: 503, percentage: 50%, for: 1m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let ratio = ModelFixtures.errorRatio(timeline, service: "svc", from: 60, to: 120)
        #expect(abs(ratio - 0.5) < 0.05, "half the requests fail: \(ratio)")
        let injected = timeline.traffic.filter { $0.key.service == "svc" }.reduce(0) { sum, s in
            sum + (60..<120).reduce(0) { $0 + s.count(of: .faultInjected, window: $1) }
        }
        let failed = ModelFixtures.traffic(timeline, service: "svc", from: 60, to: 120)
        #expect(injected == failed.requests - failed.successes, "every failure carries FI")
        #expect(ModelFixtures.errorRatio(timeline, service: "svc", from: 121, to: 180) == 0, "none after the revert")
    }
}

/// VirtualService weights over per-cluster subsets, the way canaries move traffic.
@Suite struct WeightedRouteTests {
    @Test func routeWeightsOverPerClusterSubsetsSplitTraffic() throws {
        let plan = ProcedureAndFaultTests.base.replacingOccurrences(of: "services:\n  svc: {replicas: 6, serviceTime: 2ms}", with: """
            services:
              svc: {replicas: 6, serviceTime: 2ms}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: svc}
                  spec:
                    host: svc
                    trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5}}
                    subsets:
                      - {name: one, labels: {topology.istio.io/cluster: cluster1}}
                      - {name: three, labels: {topology.istio.io/cluster: cluster3}}
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: VirtualService
                  metadata: {name: svc}
                  spec:
                    hosts: [svc]
                    http:
                      - route:
                          - {destination: {host: svc, subset: one}, weight: 90}
                          - {destination: {host: svc, subset: three}, weight: 10}
            """) + """

            schedule: {duration: 5m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let total = Double(ModelFixtures.traffic(timeline, service: "svc", from: 0, to: 300).successes)
        let one = Double(ModelFixtures.traffic(timeline, service: "svc", from: 0, to: 300, destination: "cluster1").successes)
        let three = Double(ModelFixtures.traffic(timeline, service: "svc", from: 0, to: 300, destination: "cluster3").successes)
        #expect(abs(one / total - 0.9) < 0.02 && abs(three / total - 0.1) < 0.02, "\(one / total) / \(three / total)")
        #expect(ModelFixtures.traffic(timeline, service: "svc", from: 0, to: 300, destination: "cluster2").requests == 0, "cluster2 is in no subset of the route")
    }
}

/// Envoy's local rate limit on the service's sidecars.
@Suite struct RateLimitTests {
    @Test func overTheBucketRequestsGet429WithRL() throws {
        let plan = """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: rate-limit}
            topology:
              regions:
                region1:
                  cluster1: {zones: {a: 2}}
            services:
              svc: {replicas: 2, serviceTime: 1ms, rateLimit: {maxTokens: 10, tokensPerFill: 10, fillInterval: 1s}}
            traffic:
              - {from: region1/cluster1/a, to: svc, rate: 100/s}
            schedule: {duration: 1m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let t = ModelFixtures.traffic(timeline, service: "svc", from: 10, to: 60)
        #expect(abs(Double(t.successes) / 50 - 20) < 1, "two pods × 10 tokens per second pass: \(Double(t.successes) / 50)/s")
        let limited = timeline.traffic.reduce(0) { sum, s in sum + (10..<60).reduce(0) { $0 + s.count(of: .rateLimited, window: $1) } }
        #expect(limited == t.requests - t.successes, "every refused request is a 429 with RL")
        let class4 = timeline.traffic.reduce(0) { sum, s in sum + (10..<60).reduce(0) { $0 + s.count(ofClass: 4, window: $1) } }
        #expect(class4 == limited)
    }
}

/// Istio's `distribute`: locality-weighted balancing (the istio.io locality-distribute task's weights).
@Suite struct DistributeTests {
    @Test func trafficFollowsTheDistributeWeights() throws {
        let plan = """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: distribute}
            topology:
              regions:
                region1:
                  cluster1: {zones: {zone1: 2, zone2: 2}}
                region3:
                  cluster3: {zones: {zone4: 2}}
            services:
              helloworld: {replicas: 6, serviceTime: 1ms, namespace: sample}
            trafficPolicy:
              - file: \(RealManifests.path("istio-docs-locality-distribute.yaml"))
            traffic:
              - {from: region1/cluster1/zone1, to: helloworld, rate: 200/s}
            schedule: {duration: 2m}
            """
        let timeline = try ModelFixtures.run(plan).timeline
        var byZone: [String: Int] = [:]
        for series in timeline.traffic where series.key.service == "helloworld" {
            for w in 0..<timeline.windowCount { byZone[series.key.destinationCluster ?? "-", default: 0] += Int(series.successes[w]) }
        }
        let total = Double(byZone.values.reduce(0, +))
        let region3 = Double(byZone["cluster3"] ?? 0) / total
        #expect(abs(region3 - 0.1) < 0.02, "region3/zone4 takes 10 %: \(region3)")
        #expect(abs(Double(byZone["cluster1"] ?? 0) / total - 0.9) < 0.02, "region1's zones take 70 % + 20 %")
    }
}

/// Service probes on the model, judged by probeSuccess.
@Suite struct ProbeTests {
    @Test func probesCheckThroughTheMeshAndFailDuringAnAbort() throws {
        let plan = try ModelFixtures.plan(ProcedureAndFaultTests.base + """

            probes:
              - {name: svc-health, service: svc, from: region1/cluster1/a, interval: 5s, timeout: 1s}
            slos:
              - {name: probe, sli: probeSuccess(svc-health), objective: ">= 70%"}
              - {name: probe per 30s, sli: probeSuccess(svc-health), objective: ">= 70%", window: 30s}
            schedule:
              duration: 2m
              faults:
                - {at: 31s, fault: http-abort, service: svc, status: 503, percentage: 100%, for: 30s}
            """)
        let result = ModelRun.simulate(plan)
        let probe = try #require(result.timeline.probes.first)
        #expect(probe.checks.reduce(0, +) == 23, "every 5 s from 5 s to 115 s")
        #expect(probe.checks.reduce(0, +) - probe.passes.reduce(0, +) == 6, "the six checks from 35 s to 60 s hit the abort")
        let card = Scorer.score(plan: plan, timeline: result.timeline)
        #expect(card.slos[0].verdict == .pass)
        #expect(card.slos[1].value == 0 && card.slos[1].verdict == .fail)
    }
}
