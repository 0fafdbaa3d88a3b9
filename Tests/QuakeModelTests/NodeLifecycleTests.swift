import QuakeCore
import Testing

/// Kubernetes node failure timings (SEMANTICS.md §1).
@Suite struct NodeLifecycleTests {
    static func nodeCrashPlan(kubernetes: String, seed: Int) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: node-crash}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 3, b: 3}}
        services:
          svc: {replicas: 6, serviceTime: 2ms}
        controlPlane: {kubernetes: "\(kubernetes)"}
        traffic:
          - {from: region1/cluster1/a, to: svc, rate: 20/s}
        schedule:
          duration: 8m
          faults:
            - {at: 1m, fault: node-crash, node: cluster1-a-1}
        seed: \(seed)
        """
    }

    @Test(arguments: [("1.32", 50.0), ("1.31", 40.0)])
    func endpointsDropAfterTheGraceAndPodsGoAfterTheToleration(kubernetes: String, grace: Double) throws {
        for seed in 1...5 {
            let timeline = try ModelFixtures.run(Self.nodeCrashPlan(kubernetes: kubernetes, seed: seed)).timeline
            let notReady = try #require(ModelFixtures.firstEvent(timeline, .nodeNotReady, subject: "cluster1-a-1"))
            // t_unknown = last heartbeat (up to one lease, 10 s, before the crash) + grace, on a 5 s tick.
            #expect((60 + grace - 10)...(60 + grace + 5) ~= notReady, "NotReady at \(notReady) s")
            let dropped = try #require(ModelFixtures.firstEvent(timeline, .endpointsDropped))
            #expect(dropped - notReady == 1.5, "endpoints drop 1 s (EndpointSlice) + 0.5 s (istiod) after NotReady")
            #expect(abs(dropped - 60 - grace) <= 10, "endpoints drop ≈\(grace) s after the crash, got \(dropped - 60)")
            let evicted = try #require(ModelFixtures.firstEvent(timeline, .podEvicted))
            #expect(evicted - notReady == 300, "a lone failed node is tainted NoExecute at once; its pods go 300 s later")
            #expect(abs(evicted - 60 - (grace + 300)) <= 10, "pods deleted ≈\(grace + 300) s after the crash, got \(evicted - 60)")
            let replaced = try #require(ModelFixtures.firstEvent(timeline, .podCreated))
            #expect(replaced == evicted, "a Deployment replaces a deleted pod at once")
        }
    }

    static func zonePlan(nodesA: Int, failed: [String], seed: Int = 3) -> String {
        let faults = failed.map { "    - {at: 1m, fault: node-crash, node: \($0)}" }.joined(separator: "\n")
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: zone}
            topology:
              regions:
                region1:
                  cluster1: {zones: {a: \(nodesA), b: 4}}
            services:
              svc: {replicas: 8, serviceTime: 2ms}
            traffic:
              - {from: region1/cluster1/b, to: svc, rate: 10/s}
            schedule:
              duration: 10m
              faults:
            \(faults)
            seed: \(seed)
            """
    }

    @Test func zoneOutageTaintsNodesTenSecondsApart() throws {
        let timeline = try ModelFixtures.run(Self.zonePlan(nodesA: 4, failed: [], seed: 1).replacingOccurrences(of: "  faults:\n", with: "  faults:\n    - {at: 1m, fault: zone-outage, zone: region1/cluster1/a}\n")).timeline
        let taints = timeline.events.filter { $0.kind == .taintAdded && $0.detail.contains("NoExecute") }.map(\.at.seconds)
        #expect(taints.count == 4)
        let gaps = zip(taints.dropFirst(), taints).map { $0 - $1 }
        #expect(gaps.dropFirst().allSatisfy { $0 == 10 }, "NoExecute taints at 0.1 node/s: \(taints)")
        #expect(timeline.events.contains { $0.kind == .zoneStateChanged && $0.detail.hasPrefix("FullDisruption") })
    }

    @Test func partialOutageOfASmallClusterFreezesEviction() throws {
        // 3 of 4 nodes of zone a down: 75 % ≥ 55 % and more than 2 → PartialDisruption; the cluster
        // has 8 nodes (≤ 50), so eviction stops in that zone.
        let timeline = try ModelFixtures.run(Self.zonePlan(nodesA: 4, failed: ["cluster1-a-1", "cluster1-a-2", "cluster1-a-3"])).timeline
        #expect(timeline.events.contains { $0.kind == .zoneStateChanged && $0.detail.hasPrefix("PartialDisruption; NoExecute taints at 0.0") })
        let tainted = timeline.events.filter { $0.kind == .taintAdded && $0.detail.contains("NoExecute") }.count
        #expect(tainted < 3, "eviction froze once the zone was partially disrupted (\(tainted) NoExecute taints)")
        let evictedAfterPartial = timeline.events.filter { $0.kind == .podEvicted }.count
        #expect(evictedAfterPartial <= tainted * 2)
    }
}
