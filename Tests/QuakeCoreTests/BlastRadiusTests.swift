import QuakeCore
import Testing

@Suite struct BlastRadiusTests {
    /// region1: cluster1 (zones a, b), cluster2 (zone c); region2: cluster3 (zone d); 2 nodes per zone.
    var topology: Topology {
        func cluster(_ region: String, _ name: String, _ zones: [String]) -> Cluster {
            Cluster(name: name, region: region, zones: zones.map { z in
                Zone(name: z, nodes: (1...2).map { ClusterNode(name: "\(name)-\(z)-\($0)", locality: Locality(region: region, cluster: name, zone: z)) })
            })
        }
        return Topology(regions: [
            Region(name: "region1", clusters: [cluster("region1", "cluster1", ["a", "b"]), cluster("region1", "cluster2", ["c"])]),
            Region(name: "region2", clusters: [cluster("region2", "cluster3", ["d"])]),
        ])
    }

    @Test func overlappingZoneOutagesBreakTheZoneLimit() {
        let schedule = Schedule(duration: .minutes(30), faults: [
            FaultSpec(at: .minutes(1), duration: .minutes(10), fault: .zoneOutage(region: "region1", cluster: "cluster1", zone: "a")),
            FaultSpec(at: .minutes(5), duration: .minutes(10), fault: .zoneOutage(region: "region1", cluster: "cluster1", zone: "b")),
        ])
        let v = BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(maxZonesDown: .count(1)))
        #expect(v.count == 1)
        #expect(v.first?.faultIndex == 1)
        #expect(v.first?.at == .minutes(5))
    }

    @Test func sequentialOutagesDoNotOverlap() {
        let schedule = Schedule(duration: .minutes(30), faults: [
            FaultSpec(at: .minutes(1), duration: .minutes(4), fault: .zoneOutage(region: "region1", cluster: "cluster1", zone: "a")),
            FaultSpec(at: .minutes(5), duration: .minutes(10), fault: .zoneOutage(region: "region1", cluster: "cluster1", zone: "b")),
        ])
        #expect(BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(maxZonesDown: .count(1))).isEmpty)
    }

    @Test func neverEveryZoneOfARegionByDefault() {
        let schedule = Schedule(duration: .minutes(30), faults: [FaultSpec(at: .minutes(1), fault: .regionOutage(region: "region2"))])
        let v = BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy())
        #expect(v.contains { $0.message.contains("every zone of region region2") })
        #expect(BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(allowWholeRegion: true)).isEmpty)
    }

    @Test func neverEveryClusterByDefault() {
        let schedule = Schedule(duration: .minutes(30), faults: [
            FaultSpec(at: .minutes(1), fault: .regionOutage(region: "region1")),
            FaultSpec(at: .minutes(2), fault: .clusterOutage(cluster: "cluster3")),
        ])
        let v = BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(allowWholeRegion: true))
        #expect(v.contains { $0.message.contains("every cluster is down") && $0.faultIndex == 1 })
    }

    @Test func nodeShareLimitCountsNodesAcrossFaults() {
        let schedule = Schedule(duration: .minutes(30), faults: [
            FaultSpec(at: .minutes(1), fault: .nodeCrash(node: "cluster1-a-1")),
            FaultSpec(at: .minutes(1), fault: .nodeHang(node: "cluster3-d-1")),
        ])
        #expect(BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(maxNodesDown: .share(Percentage(10)))).count == 1)
        #expect(BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(maxNodesDown: .share(Percentage(25)))).isEmpty)
    }

    @Test func anUpgradeStepTakesItsClusterDown() {
        let procedure = Procedure.clusterCanaryUpgrade(cluster: "cluster2", services: ["svc"], at: .minutes(1), upgradeTakes: .minutes(5), settle: .minutes(1))
        let schedule = Schedule(duration: .minutes(30), faults: [FaultSpec(at: .minutes(2), fault: .clusterOutage(cluster: "cluster1"))], procedures: [procedure])
        let v = BlastRadius.violations(of: schedule, in: topology, policy: SafetyPolicy(maxClustersDown: .count(1), allowWholeRegion: true))
        #expect(v.count == 1)
        #expect(v.first?.procedureIndex == 0)
    }
}
