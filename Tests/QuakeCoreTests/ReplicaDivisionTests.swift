import QuakeCore
import Testing

/// Karmada's division of replicas over clusters (SEMANTICS.md §2.4).
@Suite struct ReplicaDivisionTests {
    func cluster(_ name: String, capacity: Int) -> Cluster {
        let locality = Locality(region: "r", cluster: name, zone: "z")
        return Cluster(name: name, region: "r", zones: [Zone(name: "z", nodes: [ClusterNode(name: "\(name)-n", locality: locality, podCapacity: capacity)])])
    }

    @Test func staticWeightsWithKarmadasRemainderRule() {
        let clusters = [cluster("member1", capacity: 110), cluster("member2", capacity: 110)]
        #expect(ReplicaDivision.divide(replicas: 7, over: clusters, mode: .staticWeights(["member1": 1, "member2": 1])) == ["member1": 4, "member2": 3])
        #expect(ReplicaDivision.divide(replicas: 3, over: clusters, mode: .staticWeights(["member1": 1, "member2": 2])) == ["member1": 1, "member2": 2])
    }

    @Test func evictedReplicasGoToTheRemainingClusterByWeight() {
        #expect(ReplicaDivision.divide(replicas: 3, over: [cluster("member2", capacity: 110)], mode: .staticWeights(["member1": 1, "member2": 2])) == ["member2": 3])
    }

    @Test func dynamicWeightFollowsCapacity() {
        let clusters = [cluster("a", capacity: 6), cluster("b", capacity: 12), cluster("c", capacity: 18)]
        #expect(ReplicaDivision.divide(replicas: 12, over: clusters, mode: .dynamicWeight) == ["a": 2, "b": 4, "c": 6])
    }

    @Test func duplicatedRunsEveryReplicaEverywhere() {
        let clusters = [cluster("a", capacity: 6), cluster("b", capacity: 12)]
        #expect(ReplicaDivision.divide(replicas: 3, over: clusters, mode: .duplicated) == ["a": 3, "b": 3])
    }

    @Test func aggregatedFillsTheFewestClusters() {
        let clusters = [cluster("a", capacity: 4), cluster("b", capacity: 10)]
        #expect(ReplicaDivision.divide(replicas: 8, over: clusters, mode: .aggregated) == ["b": 8])
        #expect(ReplicaDivision.divide(replicas: 12, over: clusters, mode: .aggregated) == ["b": 10, "a": 2])
    }
}
