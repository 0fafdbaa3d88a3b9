import QuakeCore
import Testing

/// Istio locality failover, retries, the worked priority example and determinism, end to end.
@Suite struct TrafficBehaviourTests {
    static func failoverPlan(outlierDetection: Bool) -> String {
        let od = outlierDetection ? "outlierDetection: {consecutive5xxErrors: 5, interval: 1s, baseEjectionTime: 10m, maxEjectionPercent: 100}" : ""
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: locality-failover}
            topology:
              regions:
                region1:
                  cluster1: {zones: {z1: 2}}
                  cluster2: {zones: {z2: 2}}
                region2:
                  cluster3: {zones: {z3: 2}}
                region3:
                  cluster4: {zones: {z4: 2}}
            services:
              svc: {replicas: 8, serviceTime: 2ms}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: svc}
                  spec:
                    host: svc
                    trafficPolicy:
                      loadBalancer:
                        simple: ROUND_ROBIN
                        localityLbSetting:
                          enabled: true
                          failover: [{from: region1, to: region2}]
                          failoverPriority: [topology.kubernetes.io/region, topology.istio.io/cluster]
                      \(od)
            traffic:
              - {from: region1/cluster1/z1, to: svc, rate: 100/s}
            safety: {allowWholeRegion: true}
            schedule:
              duration: 5m
              faults:
                - {at: 1m, fault: cluster-outage, cluster: cluster1}
                - {at: 3m, fault: cluster-outage, cluster: cluster2}
            seed: 11
            """
    }

    /// The share of successful answers each cluster gave in a time range.
    static func shares(_ timeline: Timeline, from: Double, to: Double) -> [String: Double] {
        let total = Double(ModelFixtures.traffic(timeline, service: "svc", from: from, to: to).successes)
        var result: [String: Double] = [:]
        for cluster in ["cluster1", "cluster2", "cluster3", "cluster4"] {
            result[cluster] = Double(ModelFixtures.traffic(timeline, service: "svc", from: from, to: to, destination: cluster).successes) / max(1, total)
        }
        return result
    }

    @Test func talksDestinationRuleFailsOverByThePriorityTable() throws {
        let timeline = try ModelFixtures.run(Self.failoverPlan(outlierDetection: true)).timeline
        let before = Self.shares(timeline, from: 10, to: 60)
        #expect(before["cluster1"] == 1, "P0 is the client's own cluster: \(before)")
        let firstFailure = Self.shares(timeline, from: 70, to: 180)
        #expect(firstFailure["cluster2"] == 1, "then the same region's other cluster: \(firstFailure)")
        let secondFailure = Self.shares(timeline, from: 190, to: 300)
        #expect(secondFailure["cluster3"] == 1, "then region2, the failover target, never region3: \(secondFailure)")
        #expect(ModelFixtures.errorRatio(timeline, service: "svc", from: 190, to: 300) < 0.01)
    }

    @Test func withoutOutlierDetectionThereIsNoFailover() throws {
        let timeline = try ModelFixtures.run(Self.failoverPlan(outlierDetection: false)).timeline
        let before = Self.shares(timeline, from: 10, to: 60)
        for cluster in ["cluster1", "cluster2", "cluster3", "cluster4"] {
            #expect(abs((before[cluster] ?? 0) - 0.25) < 0.05, "every endpoint is P0: \(before)")
        }
        // cluster1 is dead: Istio's default retry (connect-failure) moves its share to any other
        // endpoint, so far-away region3 serves a third of the answers.
        let after = Self.shares(timeline, from: 70, to: 180)
        #expect(abs((after["cluster4"] ?? 0) - 1.0 / 3) < 0.05, "\(after)")
    }

    static func retryPlan(faultOnRoute: Bool) -> String {
        let fault = faultOnRoute ? "    - {at: 1m, fault: http-delay, service: svc, delay: 1ms, percentage: 1%}" : ""
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: retries}
            topology:
              regions:
                region1:
                  cluster1: {zones: {a: 5}}
            services:
              svc: {replicas: 5, serviceTime: 2ms}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: VirtualService
                  metadata: {name: svc}
                  spec:
                    hosts: [svc]
                    http:
                      - route: [{destination: {host: svc}}]
                        retries: {attempts: 2, retryOn: 5xx}
            controlPlane:
              timings: {nodeMonitorGracePeriod: 1h}
            traffic:
              - {from: region1/cluster1/a, to: svc, rate: 200/s}
            schedule:
              duration: 4m
              faults:
                - {at: 30s, fault: node-crash, node: cluster1-a-1}
            \(fault)
            seed: 5
            """
    }

    @Test func retriesHideOneFailingHostOutOfFive() throws {
        let timeline = try ModelFixtures.run(Self.retryPlan(faultOnRoute: false)).timeline
        let t = ModelFixtures.traffic(timeline, service: "svc", from: 60, to: 240)
        #expect(t.requests > 30_000)
        #expect(t.successes == t.requests, "\(t.requests - t.successes) user-visible errors")
    }

    @Test func aFaultOnTheRouteTurnsItsRetriesOff() throws {
        let timeline = try ModelFixtures.run(Self.retryPlan(faultOnRoute: true)).timeline
        let ratio = ModelFixtures.errorRatio(timeline, service: "svc", from: 60, to: 240)
        #expect(abs(ratio - 0.2) < 0.02, "one host of five fails and nothing retries: \(ratio)")
    }

    static let workedExample = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: worked-example}
        topology:
          regions:
            region1:
              local: {zones: {a: 5}}
            region2:
              remote: {zones: {b: 5}}
        services:
          svc: {replicas: 10, serviceTime: 2ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc}
              spec:
                host: svc
                trafficPolicy:
                  outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30m, maxEjectionPercent: 30}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: svc}
              spec:
                hosts: [svc]
                http: [{route: [{destination: {host: svc}}], retries: {attempts: 0}}]
        controlPlane:
          timings: {nodeMonitorGracePeriod: 1h}
        traffic:
          - {from: region1/local/a, to: svc, rate: 500/s}
        safety: {allowWholeRegion: true}
        schedule:
          duration: 5m
          faults:
            - {at: 1m, fault: zone-outage, zone: region1/local/a}
        seed: 3
        """

    @Test func workedExampleSendsFiftySixPercentToDeadHosts() throws {
        let timeline = try ModelFixtures.run(Self.workedExample).timeline
        #expect(timeline.events.filter { $0.kind == .hostEjected }.count == 3)
        let ratio = ModelFixtures.errorRatio(timeline, service: "svc", from: 90, to: 300)
        #expect(abs(ratio - 0.56) < 0.02, "error ratio \(ratio)")
    }

    @Test func sameSeedGivesTheSameTimeline() throws {
        let a = try ModelFixtures.run(Self.workedExample).timeline
        let b = try ModelFixtures.run(Self.workedExample).timeline
        #expect(a == b)
    }

    @Test func anotherSeedDiffersButAgreesWithinThreeStandardErrors() throws {
        let a = try ModelFixtures.run(Self.workedExample, seed: 100).timeline
        let b = try ModelFixtures.run(Self.workedExample, seed: 200).timeline
        #expect(a != b)
        let ta = ModelFixtures.traffic(a, service: "svc", from: 90, to: 300), tb = ModelFixtures.traffic(b, service: "svc", from: 90, to: 300)
        let pa = 1 - Double(ta.successes) / Double(ta.requests), pb = 1 - Double(tb.successes) / Double(tb.requests)
        let se = (pa * (1 - pa) / Double(ta.requests) + pb * (1 - pb) / Double(tb.requests)).squareRoot()
        #expect(abs(pa - pb) < 3 * se, "\(pa) vs \(pb), standard error \(se)")
    }
}
