import QuakeCore
import QuakeKube
import Testing

/// What the members' EndpointSlices show: each service's ready endpoints per cluster over all its
/// slices, an event when that changes after the first list, and odd endpoints left out.
@Suite struct KubeEndpointSliceTests {
    static func endpoint(_ pod: String, ready: KubeJSON?) -> KubeJSON {
        var conditions: [String: KubeJSON] = ["serving": true]
        if let ready { conditions["ready"] = ready }
        return ["addresses": [.string("10.0.0.\(pod.count)")], "targetRef": ["kind": "Pod", "namespace": "default", "name": .string(pod)], "conditions": .object(conditions), "zone": "zone-a", "nodeName": "a1"]
    }

    static func slice(_ name: String, service: String = "reviews", _ endpoints: [KubeJSON], type: String = "MODIFIED") -> KubeInformer.Change {
        KubeInformer.Change(type: type, object: [
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["kubernetes.io/service-name": .string(service)]],
            "addressType": "IPv4", "endpoints": .array(endpoints),
        ])
    }

    @Test func readyIsTheConditionOrTrueWhenAbsent() {
        let slice = KubeEndpointSlice(Self.slice("reviews-a", [Self.endpoint("p1", ready: true), Self.endpoint("p22", ready: false), Self.endpoint("p333", ready: nil),
                                                              Self.endpoint("p4444", ready: "yes"), ["conditions": ["ready": true]], ["addresses": ["10.0.0.9"]]]).object)
        #expect(slice.service == "reviews")
        #expect(slice.endpoints == ["pod default/p1": true, "pod default/p22": false, "pod default/p333": true, "address 10.0.0.9": true], "a wrong type and no address are left out")
        #expect(KubeEndpointSlice(["metadata": ["name": "x"], "endpoints": "none"]).endpoints.isEmpty)
    }

    @Test func anEndpointInTwoSlicesCountsOnce() {
        let v4 = KubeEndpointSlice(Self.slice("reviews-v4", [Self.endpoint("p1", ready: false), Self.endpoint("p2", ready: true)]).object)
        let v6 = KubeEndpointSlice(Self.slice("reviews-v6", [Self.endpoint("p1", ready: true)]).object)
        #expect(KubeEndpointSlice.Count([v4, v6]) == KubeEndpointSlice.Count([v6, v4]))
        let count = KubeEndpointSlice.Count([v4, v6])
        #expect(count.ready == 2 && count.total == 2)
    }

    @Test func theObserverTellsReadyEndpointsPerServiceAgainstTheFirstList() {
        let observer = KubeObserver()
        let two = [Self.endpoint("p1", ready: true), Self.endpoint("p2", ready: true)]
        observer.apply(Self.slice("reviews-a", two, type: "ADDED"), server: "member1", source: .endpointSlices, baseline: true, at: .seconds(0))
        observer.apply(Self.slice("reviews-b", [Self.endpoint("p3", ready: true)], type: "ADDED"), server: "member1", source: .endpointSlices, baseline: true, at: .seconds(0))
        observer.apply(Self.slice("reviews-a", [Self.endpoint("p1", ready: true), Self.endpoint("p2", ready: false)]), server: "member1", source: .endpointSlices, at: .seconds(8))
        observer.apply(Self.slice("reviews-a", [Self.endpoint("p1", ready: true), Self.endpoint("p2", ready: false), Self.endpoint("p5", ready: false)]), server: "member1", source: .endpointSlices, at: .seconds(9))
        observer.apply(Self.slice("reviews-b", [], type: "DELETED"), server: "member1", source: .endpointSlices, at: .seconds(15))
        observer.apply(Self.slice("ratings-a", service: "ratings", two, type: "ADDED"), server: "member1", source: .endpointSlices, at: .seconds(16))
        observer.apply(Self.slice("reviews-a", two), server: "member2", source: .endpointSlices, baseline: true, at: .seconds(0))
        #expect(observer.events.map(\.description) == [
            "8s endpoints-dropped reviews (member1): 2 of 3 endpoints ready, was 3 of 3",
            "15s endpoints-dropped reviews (member1): 1 of 3 endpoints ready, was 2 of 4",
            "16s endpoints-added ratings (member1): 2 of 2 endpoints ready, was 0 of 0",
        ], "a new endpoint that is not ready is no event; a slice created after the list is")
        var timeline = Timeline(window: .seconds(10), windowCount: 2)
        observer.fillReplicas(&timeline, through: 1)
        #expect(timeline.replicas.map { "\($0.key.service)/\($0.key.cluster) \($0.ready)" } == ["ratings/member1 [0, 2]", "reviews/member1 [2, 1]", "reviews/member2 [2, 2]"])
    }
}
