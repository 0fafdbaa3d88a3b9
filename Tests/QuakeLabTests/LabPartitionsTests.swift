import QuakeCore
import QuakeLab
import Testing

/// Which Envoys a partition cuts off from which pods, from the plan's localities.
@Suite struct LabPartitionsTests {
    /// Two regions; r1 has two clusters, c1 with zones a and b. Traffic comes from every zone, so
    /// every zone has an Envoy: c1/a 127.1.0.1, c1/b .2, c2/c .3, c3/d .4.
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: partitions}
        topology:
          regions:
            r1:
              c1: {zones: {a: 1, b: 1}}
              c2: {zones: {c: 1}}
            r2:
              c3: {zones: {d: 1}}
        services:
          svc: {replicas: 4, serviceTime: 1ms}
        traffic:
          - {from: r1/c1/a, to: svc, rate: 10/s}
          - {from: r1/c1/b, to: svc, rate: 10/s}
          - {from: r1/c2/c, to: svc, rate: 10/s}
          - {from: r2/c3/d, to: svc, rate: 10/s}
        schedule: {duration: 1m}
        """

    static let a = Locality(region: "r1", cluster: "c1", zone: "a"), b = Locality(region: "r1", cluster: "c1", zone: "b")
    static let c = Locality(region: "r1", cluster: "c2", zone: "c"), d = Locality(region: "r2", cluster: "c3", zone: "d")

    static func envoys() throws -> [LabLayout.Envoy] {
        try LabLayout(plan: try LabFixtures.plan(yaml), basePort: 34000).envoys
    }

    @Test func localitiesLieInTheirRegionClusterAndZone() {
        #expect(Self.a.isInside("r1") && Self.a.isInside("r1/c1") && Self.a.isInside("r1/c1/a"))
        #expect(!Self.a.isInside("r2") && !Self.a.isInside("r1/c2") && !Self.a.isInside("r1/c1/b") && !Self.a.isInside("c1"))
        #expect(!Self.a.isInside("r1/c1/a/extra") && !Self.a.isInside(""))
    }

    @Test(arguments: [
        // Regions: r1's three zones against r2's zone.
        (["r1"], ["r2"], [a: ["127.1.0.4"], b: ["127.1.0.4"], c: ["127.1.0.4"], d: ["127.1.0.1", "127.1.0.2", "127.1.0.3"]]),
        // Clusters, one side a list: c1 against c2 and r2.
        (["r1/c1"], ["r1/c2", "r2"], [a: ["127.1.0.3", "127.1.0.4"], b: ["127.1.0.3", "127.1.0.4"], c: ["127.1.0.1", "127.1.0.2"], d: ["127.1.0.1", "127.1.0.2"]]),
        // Zones: a against b; c and d are on neither side.
        (["r1/c1/a"], ["r1/c1/b"], [a: ["127.1.0.2"], b: ["127.1.0.1"], c: [], d: []]),
    ] as [([String], [String], [Locality: [String]])])
    func eachPodIsCutOffFromTheEnvoysOnTheOtherSide(sideA: [String], sideB: [String], expected: [Locality: [String]]) throws {
        let envoys = try Self.envoys()
        #expect(envoys.map(\.sourceAddress) == ["127.1.0.1", "127.1.0.2", "127.1.0.3", "127.1.0.4"])
        var partitions = LabPartitions()
        partitions.insert(LabPartitions.Sides(sideA, sideB), index: 0)
        for (zone, peers) in expected {
            #expect(partitions.peers(cutOffFrom: zone, among: envoys) == peers, "\(zone)")
        }
        // Symmetric: the sides swapped cut the same pairs.
        var swapped = LabPartitions()
        swapped.insert(LabPartitions.Sides(sideB, sideA), index: 0)
        for zone in expected.keys { #expect(swapped.peers(cutOffFrom: zone, among: envoys) == partitions.peers(cutOffFrom: zone, among: envoys)) }
    }

    @Test func overlappingPartitionsComposeAndRevertsAreIdempotent() throws {
        let envoys = try Self.envoys()
        var partitions = LabPartitions()
        partitions.insert(LabPartitions.Sides(["r1/c1/a"], ["r1/c1/b"]), index: 2)
        partitions.insert(LabPartitions.Sides(["r1/c1"], ["r1/c2"]), index: 5)
        partitions.insert(LabPartitions.Sides(["r1/c1/a"], ["r1/c1/b", "r2"]), index: 7)
        #expect(partitions.cuts(envoy: Self.b, zone: Self.a) == 2)
        #expect(partitions.cuts(envoy: Self.c, zone: Self.a) == 1)
        #expect(partitions.peers(cutOffFrom: Self.a, among: envoys) == ["127.1.0.2", "127.1.0.3", "127.1.0.4"])
        // Lifting one of the two partitions that cut a from b leaves them cut.
        let removed = partitions.remove(index: 2)
        #expect(removed)
        #expect(partitions.peers(cutOffFrom: Self.a, among: envoys) == ["127.1.0.2", "127.1.0.3", "127.1.0.4"])
        let again = partitions.remove(index: 2), never = partitions.remove(index: 9)
        #expect(!again, "a second revert changes nothing")
        #expect(!never, "nor does one never injected")
        let other = partitions.remove(index: 7)
        #expect(other)
        #expect(partitions.peers(cutOffFrom: Self.a, among: envoys) == ["127.1.0.3"])
        #expect(partitions.peers(cutOffFrom: Self.b, among: envoys) == ["127.1.0.3"])
        #expect(partitions.peers(cutOffFrom: Self.d, among: envoys).isEmpty)
        partitions.removeAll()
        #expect(partitions.isEmpty && partitions.peers(cutOffFrom: Self.c, among: envoys).isEmpty)
    }
}
