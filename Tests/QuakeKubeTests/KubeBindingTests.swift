import QuakeCore
import QuakeKube
import Testing

/// What a Karmada ResourceBinding's changes show: its placement, graceful evictions starting and
/// ending, and ready replicas per cluster, told against the first list, whatever odd fields the
/// object carries.
@Suite struct KubeBindingTests {
    static func binding(_ clusters: [String: Int], evictions: [KubeJSON] = [], ready: [KubeJSON] = [], version: Int) -> KubeInformer.Change {
        KubeInformer.Change(type: "MODIFIED", object: [
            "metadata": ["name": "reviews-deployment", "namespace": "default", "resourceVersion": .string(String(version))],
            "spec": [
                "clusters": .array(clusters.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "replicas": .number(Double($0.value))] }),
                "gracefulEvictionTasks": .array(evictions),
            ],
            "status": ["aggregatedStatus": .array(ready)],
        ])
    }

    static func ready(_ cluster: String, _ count: Int) -> KubeJSON {
        ["clusterName": .string(cluster), "applied": true, "health": "Healthy", "status": ["readyReplicas": .number(Double(count))]]
    }

    static let task: KubeJSON = ["fromCluster": "member2", "replicas": 5, "reason": "TaintUntolerated", "producer": "TaintManager", "creationTimestamp": "2025-01-01T00:00:00Z"]

    @Test func readsPlacementEvictionsAndReadyReplicas() {
        let binding = KubeBinding(Self.binding(["member1": 6, "member3": 4], evictions: [Self.task], ready: [Self.ready("member1", 6), ["clusterName": "member3", "applied": false]], version: 1).object)
        #expect(binding.clusters == ["member1": 6, "member3": 4])
        #expect(binding.evictions["member2"] == KubeBinding.Eviction(replicas: 5, reason: "TaintUntolerated", producer: "TaintManager"))
        #expect(binding.ready == ["member1": 6, "member3": 0], "a status without readyReplicas has none ready")
    }

    @Test func oddFieldsAreLeftOut() {
        let odd: KubeJSON = [
            "metadata": ["name": "reviews-deployment"],
            "spec": [
                "clusters": [["replicas": 3], ["name": 7], ["name": "member1", "replicas": "three"], "member2"],
                "gracefulEvictionTasks": "member2",
            ],
            "status": ["aggregatedStatus": [["clusterName": "member1", "status": ["readyReplicas": -1]], ["status": ["readyReplicas": 2]], ["clusterName": "member2", "status": ["readyReplicas": .number(2.5)]]]],
        ]
        let binding = KubeBinding(odd)
        #expect(binding.clusters == ["member1": 0] && binding.evictions.isEmpty && binding.ready.isEmpty)
        #expect(KubeBinding(["spec": "none", "status": 3]) == KubeBinding())
    }

    @Test func aMoveIsAnEvictionThePlacementAndItsEnd() {
        let before = KubeBinding(Self.binding(["member1": 5, "member2": 5], version: 1).object)
        let moving = KubeBinding(Self.binding(["member1": 6, "member3": 4], evictions: [Self.task], version: 2).object)
        let after = KubeBinding(Self.binding(["member1": 6, "member3": 4], version: 3).object)
        let events = KubeBinding.events(from: before, to: moving, service: "reviews", binding: "reviews-deployment", at: .seconds(40))
            + KubeBinding.events(from: moving, to: after, service: "reviews", binding: "reviews-deployment", at: .seconds(70))
            + KubeBinding.events(from: after, to: after, service: "reviews", binding: "reviews-deployment", at: .seconds(80))
        #expect(events.map(\.description) == [
            "40s binding-evicted reviews-deployment: 5 replicas leave member2 (TaintUntolerated, by TaintManager)",
            "40s replicas-changed reviews: scheduled to member1: 6, member3: 4 (was member1: 5, member2: 5)",
            "1m10s replicas-changed reviews: graceful eviction from member2 ended",
        ])
        let bare = KubeBinding(Self.binding([:], evictions: [["fromCluster": "member1"]], version: 4).object)
        #expect(KubeBinding.events(from: after, to: bare, service: "reviews", binding: "reviews-deployment", at: .seconds(90)).map(\.detail) == [
            "evicted from member1", "scheduled to no cluster (was member1: 6, member3: 4)",
        ], "a task without replicas, reason or producer")
    }

    @Test func theObserverTellsBindingsAgainstTheFirstListAndCountsReadyReplicas() {
        let observer = KubeObserver()
        let source = KubeObserver.Source.bindings(services: ["reviews-deployment": "reviews"])
        observer.apply(Self.binding(["member1": 5, "member2": 5], ready: [Self.ready("member1", 5), Self.ready("member2", 5)], version: 1), server: "karmada", source: source, baseline: true, at: .seconds(0))
        var other = Self.binding(["member1": 1], version: 2)
        other.object = ["metadata": ["name": "ratings-deployment"], "spec": other.object["spec"] ?? .null]
        observer.apply(other, server: "karmada", source: source, at: .seconds(5))
        observer.apply(Self.binding(["member1": 10], evictions: [Self.task], ready: [Self.ready("member1", 5), Self.ready("member2", 5)], version: 3), server: "karmada", source: source, at: .seconds(12))
        observer.apply(Self.binding(["member1": 10], ready: [Self.ready("member1", 10)], version: 4), server: "karmada", source: source, at: .seconds(25))
        #expect(observer.events.map(\.description) == [
            "12s binding-evicted reviews-deployment: 5 replicas leave member2 (TaintUntolerated, by TaintManager)",
            "12s replicas-changed reviews: scheduled to member1: 10 (was member1: 5, member2: 5)",
            "25s replicas-changed reviews: graceful eviction from member2 ended",
        ])
        var timeline = Timeline(window: .seconds(10), windowCount: 4)
        observer.fillReplicas(&timeline, through: 3)
        #expect(timeline.replicas.map { "\($0.key.cluster) \($0.ready)" } == ["member1 [5, 5, 10, 10]", "member2 [5, 5, 0, 0]"])
    }
}
