import QuakeCore
import QuakeKube
import Testing

/// Plan nodes and zones to real nodes: by zone label, in name order.
@Suite struct KubeNodeMapTests {
    static let cluster = Cluster(name: "member1", region: "eu", zones: [
        Zone(name: "eu-1a", nodes: [ClusterNode(name: "member1-eu-1a-1", locality: Locality(region: "eu", cluster: "member1", zone: "eu-1a")),
                                    ClusterNode(name: "member1-eu-1a-2", locality: Locality(region: "eu", cluster: "member1", zone: "eu-1a"))]),
        Zone(name: "eu-1b", nodes: [ClusterNode(name: "member1-eu-1b-1", locality: Locality(region: "eu", cluster: "member1", zone: "eu-1b"))]),
    ])

    static func nodes(_ entries: [(String, String?)]) -> KubeJSON {
        ["items": .array(entries.map { name, zone in
            ["metadata": ["name": .string(name), "labels": zone.map { [KubeNodeMap.zoneLabel: .string($0)] } ?? [:]]]
        })]
    }

    @Test func theIthPlanNodeOfAZoneIsItsIthRealNodeByName() throws {
        let map = try KubeNodeMap(cluster: Self.cluster, nodeList: Self.nodes([("ip-10-0-2-9", "eu-1a"), ("ip-10-0-1-4", "eu-1a"), ("ip-10-0-3-3", "eu-1b"), ("ip-10-0-9-9", "eu-1a"), ("control", nil)]))
        #expect(map.nodes == ["member1-eu-1a-1": "ip-10-0-1-4", "member1-eu-1a-2": "ip-10-0-2-9", "member1-eu-1b-1": "ip-10-0-3-3"])
        #expect(map.zones["eu-1a"] == ["ip-10-0-1-4", "ip-10-0-2-9", "ip-10-0-9-9"], "a zone fault takes all three")
    }

    @Test func aZoneWithFewerRealNodesThanThePlanIsNamed() {
        let error = #expect(throws: KubeError.self) { try KubeNodeMap(cluster: Self.cluster, nodeList: Self.nodes([("a", "eu-1a"), ("b", "eu-1b")])) }
        #expect(error?.description == "member1: the plan has 2 nodes in zone eu-1a of cluster member1, the cluster has 1 with topology.kubernetes.io/zone=eu-1a (zones found: eu-1a (1), eu-1b (1))", "\(String(describing: error))")
    }
}
