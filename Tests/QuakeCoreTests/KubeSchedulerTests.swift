import QuakeCore
import Testing

/// kube-scheduler's default spreading of a new pod: zone first, then node (SEMANTICS.md §1.4).
@Suite struct KubeSchedulerTests {
    typealias Node = KubeScheduler.NodeView

    @Test func spreadsReplicasOverZonesThenNodes() {
        // Two zones, a: 2 nodes, b: 1 node. Place 4 pods one by one.
        var nodes = [
            Node(zone: "a", pods: 0, capacity: 110, servicePods: 0),
            Node(zone: "a", pods: 0, capacity: 110, servicePods: 0),
            Node(zone: "b", pods: 0, capacity: 110, servicePods: 0),
        ]
        var chosen: [Int] = []
        for _ in 0..<4 {
            guard let i = KubeScheduler.chooseNode(nodes) else { break }
            chosen.append(i)
            nodes[i].pods += 1
            nodes[i].servicePods += 1
        }
        // a-0 (a tie, broken by order), then b (zone a holds one), then a-1 (zones tie, a-1 holds
        // none); zone a then holds two and b one, so the fourth goes to b.
        #expect(chosen == [0, 2, 1, 2])
    }

    @Test func prefersTheNodeWithFewerPodsOfAnyServiceOnATie() {
        let nodes = [
            Node(zone: "a", pods: 5, capacity: 110, servicePods: 0),
            Node(zone: "a", pods: 1, capacity: 110, servicePods: 0),
        ]
        #expect(KubeScheduler.chooseNode(nodes) == 1)
    }

    @Test func skipsUnschedulableAndFullNodesButCountsTheirPodsForTheZone() {
        let nodes = [
            Node(zone: "a", schedulable: false, pods: 2, capacity: 110, servicePods: 2),
            Node(zone: "a", pods: 0, capacity: 110, servicePods: 0),
            Node(zone: "b", pods: 3, capacity: 3, servicePods: 0),
            Node(zone: "c", pods: 1, capacity: 110, servicePods: 1),
        ]
        // a holds 2 of the service (on the NotReady node), b is full, c holds 1: c wins over a.
        #expect(KubeScheduler.chooseNode(nodes) == 3)
    }

    @Test func noRoomMeansPending() {
        #expect(KubeScheduler.chooseNode([Node(zone: "a", pods: 1, capacity: 1, servicePods: 1)]) == nil)
        #expect(KubeScheduler.chooseNode([Node(zone: "a", schedulable: false, pods: 0, capacity: 9, servicePods: 0)]) == nil)
        #expect(KubeScheduler.chooseNode([]) == nil)
    }
}
