import QuakeCore
import QuakeKube
import Testing

/// The replica series a kubernetes run records: the count at the end of each window, from the
/// binding when a service has one, else from its endpoints.
@Suite struct KubeReplicaLogTests {
    @Test func eachWindowHoldsTheLastCountAtItsEnd() {
        var log = KubeReplicaLog()
        let key = ReplicaKey(service: "reviews", cluster: "member1")
        log.record(key, ready: 3, at: .seconds(1), from: .endpoints)
        log.record(key, ready: 2, at: .seconds(12), from: .endpoints)
        log.record(key, ready: 3, at: .seconds(20), from: .endpoints)
        log.record(ReplicaKey(service: "reviews", cluster: "member2"), ready: 4, at: .seconds(25), from: .endpoints)
        var timeline = Timeline(window: .seconds(10), windowCount: 4)
        log.fill(&timeline, through: 2)
        #expect(timeline.replicas.map { "\($0.key.cluster) \($0.ready)" } == ["member1 [3, 3, 3, 0]", "member2 [0, 0, 4, 0]"], "a count at a window's end is that window's; later windows are not filled yet")
        log.fill(&timeline, through: 9)
        #expect(timeline.replicas.map(\.ready) == [[3, 3, 3, 3], [0, 0, 4, 4]])
    }

    @Test func aServiceWithABindingIsCountedFromItAlone() {
        var log = KubeReplicaLog()
        log.record(ReplicaKey(service: "reviews", cluster: "member1"), ready: 5, at: .seconds(0), from: .binding)
        log.record(ReplicaKey(service: "reviews", cluster: "member1"), ready: 4, at: .seconds(0), from: .endpoints)
        log.record(ReplicaKey(service: "ratings", cluster: "member1"), ready: 2, at: .seconds(0), from: .endpoints)
        var timeline = Timeline(window: .seconds(10), windowCount: 1)
        log.fill(&timeline, through: 0)
        #expect(timeline.replicas.map { "\($0.key.service)/\($0.key.cluster) \($0.ready)" } == ["ratings/member1 [2]", "reviews/member1 [5]"])
        #expect(TimelineQuery(timeline, service: "reviews").replicas == [5])
    }
}
