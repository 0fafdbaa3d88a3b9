import QuakeCore
import QuakeKube
import Testing

/// A canary procedure's traffic shifts: the weight of one cluster's subset on every route, the
/// other destinations untouched, and the list from before the procedure kept for the revert.
@Suite struct VirtualServiceWeightsTests {
    static let virtualService: KubeJSON = [
        "metadata": ["name": "svc2-route", "namespace": "default", "resourceVersion": "41"],
        "spec": ["hosts": ["svc2"], "http": [
            ["match": [["headers": ["canary": ["exact": "yes"]]]], "route": [["destination": ["host": "svc2", "subset": "cluster2"]]]],
            ["route": [
                ["destination": ["host": "svc2.default.svc.cluster.local", "subset": "cluster1"], "weight": 40],
                ["destination": ["host": "svc2.default.svc.cluster.local", "subset": "cluster2"], "weight": 30],
                ["destination": ["host": "svc2.default.svc.cluster.local", "subset": "cluster3"], "weight": 30],
            ], "retries": ["attempts": 2]],
        ]],
    ]

    /// Subsets named after the cluster they select, for host svc2 only.
    static func clusterOf(_ host: String, _ subset: String) -> String? { host == "svc2" ? subset : nil }

    static func weights(_ http: KubeJSON?) -> [[Int]] {
        (http?.array ?? []).map { route in (route["route"]?.array ?? []).map { Int($0["weight"]?.number ?? -1) } }
    }

    static func applying(_ change: VirtualServiceChange, to object: KubeJSON, version: String) -> KubeJSON {
        guard case var .object(fields) = object, case var .object(spec)? = fields["spec"] else { return object }
        spec["http"] = change.patched
        fields["spec"] = .object(spec)
        fields["metadata"] = ["resourceVersion": .string(version)]
        return .object(fields)
    }

    @Test func theClustersWeightIsSetOnEveryRouteAndTheRestIsSentAsItWas() throws {
        let (change, patch) = try VirtualServiceChange.shift(cluster: "cluster2", to: 0, in: Self.virtualService, at: "/vs", clusterOf: Self.clusterOf, earlier: nil)
        #expect(Self.weights(patch[path: "spec.http"]) == [[-1], [40, 0, 30]], "the route that only goes to cluster2 keeps going there")
        #expect(patch[path: "metadata.resourceVersion"] == "41")
        #expect(patch[path: "spec.http"]?.array?[1]["retries"] == ["attempts": 2])
        #expect(change.original == Self.virtualService[path: "spec.http"])
    }

    @Test func aSecondShiftKeepsTheListFromBeforeTheProcedure() throws {
        let (first, _) = try VirtualServiceChange.shift(cluster: "cluster2", to: 0, in: Self.virtualService, at: "/vs", clusterOf: Self.clusterOf, earlier: nil)
        let shifted = Self.applying(first, to: Self.virtualService, version: "42")
        let (second, patch) = try VirtualServiceChange.shift(cluster: "cluster2", to: 10, in: shifted, at: "/vs", clusterOf: Self.clusterOf, earlier: first)
        #expect(Self.weights(patch[path: "spec.http"]) == [[10], [40, 10, 30]], "a single destination gets an explicit weight")
        #expect(second.original == Self.virtualService[path: "spec.http"], "one revert puts back the list from before the procedure")
        let reverted = try second.revert(from: Self.applying(second, to: Self.virtualService, version: "43"))
        #expect(reverted?[path: "spec.http"] == Self.virtualService[path: "spec.http"])
        let edited: KubeJSON = ["metadata": ["resourceVersion": "44"], "spec": ["http": [["route": [["destination": ["host": "svc2", "subset": "cluster2"]]]]]]]
        let conflict = #expect(throws: KubeError.self) { try VirtualServiceChange.shift(cluster: "cluster2", to: 10, in: edited, at: "/vs", clusterOf: Self.clusterOf, earlier: first) }
        #expect(conflict?.code == .conflict, "someone changed the list during the procedure")
    }

    @Test func aClusterNoSubsetSelectsAndOnlyRoutesThatWouldBeLeftWithoutWeightAreRefused() {
        let none = #expect(throws: KubeError.self) { try VirtualServiceChange.shift(cluster: "cluster9", to: 0, in: Self.virtualService, at: "/vs", clusterOf: Self.clusterOf, earlier: nil) }
        #expect(none?.code == .config && none?.message.contains("topology.istio.io/cluster: cluster9") == true, "\(String(describing: none))")
        let single: KubeJSON = ["spec": ["http": [["route": [["destination": ["host": "svc2", "subset": "cluster2"]]]]]]]
        let empty = #expect(throws: KubeError.self) { try VirtualServiceChange.shift(cluster: "cluster2", to: 0, in: single, at: "/vs", clusterOf: Self.clusterOf, earlier: nil) }
        #expect(empty?.message.contains("nowhere to send its requests") == true, "\(String(describing: empty))")
    }
}
