import QuakeCore
import QuakeLab
import Testing

/// Which pods, Envoys and ports the lab runs for a plan.
@Suite struct LabLayoutTests {
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: layout}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 2, b: 1}}
              cluster2: {zones: {c: 2}}
            region2:
              cluster3: {zones: {d: {nodes: 1, podCapacity: 3}}}
        services:
          frontend: {replicas: 6, serviceTime: 5ms, calls: [svc2]}
          svc2: {replicas: 5, serviceTime: 5ms}
        traffic:
          - {from: region1/cluster1/a, to: frontend, rate: 10/s}
        schedule: {duration: 1m}
        """

    @Test func replicasPerClusterFollowKarmadasDivision() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan, basePort: 30000)
        for service in plan.services {
            let division = ReplicaDivision.divide(replicas: service.replicas, over: plan.topology.clusters, mode: ReplicaScheduling().mode)
            var counts: [String: Int] = [:]
            for pod in layout.pods(of: service.name) { counts[pod.cluster, default: 0] += 1 }
            #expect(counts == division, "\(service.name)")
        }
        #expect(layout.pods(of: "frontend").count == 6)
        #expect(layout.pods(of: "svc2").count == 5)
        #expect(layout.pendingPods.isEmpty)
    }

    @Test func podsRunOnNodesOfTheirClusterSpreadOverZones() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan, basePort: 30000)
        for pod in layout.pods {
            let node = try #require(plan.topology.node(named: pod.node))
            #expect(node.locality == pod.locality)
            #expect(pod.locality.cluster == pod.cluster)
            #expect(pod.name.hasPrefix("\(pod.service)-\(pod.cluster)-"))
        }
        // cluster1 has zones a (2 nodes) and b (1 node): its 2 frontend pods go one per zone.
        let zones = Set(layout.pods(of: "frontend").filter { $0.cluster == "cluster1" }.map(\.locality.zone))
        #expect(zones == ["a", "b"])
        // Names count every pod created, in order, as the model names them.
        #expect(layout.pods.map(\.name).prefix(2) == ["frontend-cluster1-0", "frontend-cluster1-1"])
        #expect(layout.createdPods == 11)
    }

    @Test func everyEnvoyConnectsFromALoopbackAddressOfItsOwn() throws {
        let layout = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        let addresses = layout.envoys.map(\.sourceAddress)
        #expect(addresses.prefix(2) == ["127.1.0.1", "127.1.0.2"])
        #expect(Set(addresses).count == addresses.count && !addresses.contains("127.0.0.1"))
        #expect(LabLayout.Envoy.sourceAddress(index: 253) == "127.1.0.254")
        #expect(LabLayout.Envoy.sourceAddress(index: 254) == "127.1.1.1")
    }

    @Test func everyPortIsDistinctAndAboveTheBase() throws {
        let layout = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        let ports = [layout.prometheusPort] + layout.envoys.flatMap { [$0.listenerPort, $0.adminPort] } + layout.pods.map(\.port)
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { $0 >= 30000 && $0 < 30000 + ports.count })
        #expect(layout.prometheusPort == 30000)
        #expect(Set(layout.envoys.map(\.baseID)).count == layout.envoys.count)
        #expect(layout.ports.nextPort == 30000 + ports.count)
    }

    @Test func theSamePlanGivesTheSameLayout() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let a = try LabLayout(plan: plan, basePort: 30000), b = try LabLayout(plan: plan, basePort: 30000)
        #expect(a.pods == b.pods)
        #expect(a.envoys == b.envoys)
        let c = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        #expect(a.pods == c.pods)
    }

    @Test func oneEnvoyPerClientLocality() throws {
        let layout = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        // Load comes from cluster1/a; frontend calls svc2 and may run in every zone of every cluster.
        #expect(layout.envoys.map(\.locality.description) == ["region1/cluster1/a", "region1/cluster1/b", "region1/cluster2/c", "region2/cluster3/d"])
        #expect(layout.envoys.map(\.name) == ["envoy-cluster1-a", "envoy-cluster1-b", "envoy-cluster2-c", "envoy-cluster3-d"])
        for pod in layout.pods(of: "frontend") {
            #expect(layout.envoy(for: pod.locality) != nil, "\(pod.name) has no Envoy to call svc2 through")
        }
    }

    @Test func anEnvoyOnlyWhereLoadComesFromWhenNoServiceCalls() throws {
        let yaml = Self.yaml.replacingOccurrences(of: ", calls: [svc2]", with: "")
        let layout = try LabLayout(plan: try LabFixtures.plan(yaml), basePort: 30000)
        #expect(layout.envoys.map(\.locality.description) == ["region1/cluster1/a"])
    }

    @Test func podsCreatedLaterTakeTheNextPortAndAvoidUnschedulableNodes() throws {
        var layout = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        let next = layout.ports.nextPort
        let gone = layout.removePod(named: "svc2-cluster2-9")
        let removed = try #require(gone)
        #expect(layout.pods(of: "svc2").count == 4)
        let placed = try layout.placePod(service: "svc2", cluster: "cluster2") { $0.name != removed.node }
        let pod = try #require(placed)
        #expect(pod.port == next)
        #expect(pod.name == "svc2-cluster2-11")
        #expect(pod.node != removed.node)
        #expect(layout.ports.nextPort == next + 1)
        let nowhere = try layout.placePod(service: "svc2", cluster: "cluster2") { _ in false }
        #expect(nowhere == nil)
    }

    @Test func replicasWithoutRoomArePending() throws {
        // cluster3's only node holds 3 pods: frontend 2 + svc2 1 fill it, a fourth has no room.
        var layout = try LabLayout(plan: try LabFixtures.plan(Self.yaml), basePort: 30000)
        #expect(layout.pods.filter { $0.cluster == "cluster3" }.count == 3)
        let full = try layout.placePod(service: "svc2", cluster: "cluster3")
        #expect(full == nil)
    }

    @Test func portsPast65535AreAnError() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        #expect(throws: LabError.self) { try LabLayout(plan: plan, basePort: 65_530) }
    }
}
