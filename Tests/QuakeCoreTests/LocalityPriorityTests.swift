import QuakeCore
import Testing

/// Istio's priority assignment (SEMANTICS.md §3.2), checked against the talk's 4-row table.
@Suite struct LocalityPriorityTests {
    let c1 = Locality(region: "region1", cluster: "cluster1", zone: "z1")
    let c2 = Locality(region: "region1", cluster: "cluster2", zone: "z2")
    let c3 = Locality(region: "region2", cluster: "cluster3", zone: "z3")
    let c4 = Locality(region: "region3", cluster: "cluster4", zone: "z4")

    var talkSetting: LocalityLbSetting {
        LocalityLbSetting(failover: [(from: "region1", to: "region2")], failoverPriority: ["topology.kubernetes.io/region", "topology.istio.io/cluster"])
    }

    @Test func talkTableFromRegion1Cluster1() {
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, c2, c3, c4], setting: talkSetting, hasOutlierDetection: true)
        #expect(p[c1] == 0)
        #expect(p[c2] == 1)
        #expect(p[c3] == 2)
        #expect(p[c4] == 3)
    }

    @Test func withoutOutlierDetectionEverythingIsPriorityZero() {
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, c2, c3, c4], setting: talkSetting, hasOutlierDetection: false)
        #expect(Set(p.values) == [0])
    }

    @Test func defaultLocalityStepOrdersZoneRegionAndRemote() {
        let sameRegionOtherZone = Locality(region: "region1", cluster: "cluster1", zone: "z9")
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, sameRegionOtherZone, c3], setting: nil, hasOutlierDetection: true)
        #expect(p[c1] == 0)
        #expect(p[sameRegionOtherZone] == 1)
        #expect(p[c3] == 2)
    }

    @Test func failoverPriorityAloneIgnoresLocality() {
        let setting = LocalityLbSetting(failoverPriority: ["topology.istio.io/cluster"])
        let sameClusterOtherZone = Locality(region: "region1", cluster: "cluster1", zone: "z9")
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, sameClusterOtherZone, c2, c3], setting: setting, hasOutlierDetection: true)
        #expect(p[c1] == 0)
        #expect(p[sameClusterOtherZone] == 0)
        #expect(p[c2] == 1)
        #expect(p[c3] == 1)
    }

    @Test func failoverRegionComesBeforeOtherRemoteRegions() {
        let setting = LocalityLbSetting(failover: [(from: "region1", to: "region3")])
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, c3, c4], setting: setting, hasOutlierDetection: true)
        #expect(p[c4]! < p[c3]!)
    }

    @Test func distributeTurnsPrioritiesOff() {
        let setting = LocalityLbSetting(distribute: [(from: "region1/*", to: [(pattern: "region1/*", weight: 100)])])
        let p = LocalityPriority.priorities(client: c1, endpoints: [c1, c3], setting: setting, hasOutlierDetection: true)
        #expect(Set(p.values) == [0])
    }
}
