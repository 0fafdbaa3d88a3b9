import QuakeCore
import QuakeLab
import Testing

/// EDS files: endpoints by locality with Istio's priorities for the client (the model's computation).
@Suite struct EDSDocumentTests {
    static func yaml(trafficPolicy: String) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: eds}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 2, b: 2}}
              cluster2: {zones: {c: 2}}
            region2:
              cluster3: {zones: {d: 2}}
            region3:
              cluster4: {zones: {e: 2}}
        services:
          frontend: {replicas: 4, serviceTime: 5ms, calls: [svc2]}
          svc2: {replicas: 10, serviceTime: 5ms}
        \(trafficPolicy)
        traffic:
          - {from: region1/cluster1/a, to: frontend, rate: 10/s}
        schedule: {duration: 1m}
        """
    }

    static let failover = """
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc2}
              spec:
                host: svc2
                trafficPolicy:
                  loadBalancer:
                    localityLbSetting:
                      enabled: true
                      failover: [{from: region1, to: region2}]
                  outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 10s, maxEjectionPercent: 100}
        """

    @Test func prioritiesAreLocalityPrioritysForTheClient() throws {
        let plan = try LabFixtures.plan(Self.yaml(trafficPolicy: Self.failover))
        let layout = try LabLayout(plan: plan, basePort: 31000)
        let upstream = try #require(EnvoyUpstream.all(in: plan).first { $0.service == "svc2" && $0.subset == nil })
        let endpoints = upstream.endpoints(among: layout.pods, plan: plan).map { EDSEndpoint(pod: $0) }
        let rule = try #require(plan.destinationRule(for: "svc2"))
        for envoy in layout.envoys {
            let groups = EDSDocument.groups(upstream: upstream, client: envoy.locality, endpoints: endpoints, plan: plan)
            let expected = LocalityPriority.priorities(client: envoy.locality, endpoints: Array(Set(endpoints.map(\.locality))), setting: rule.locality, hasOutlierDetection: true)
            #expect(Dictionary(uniqueKeysWithValues: groups.map { ($0.locality, $0.priority) }) == expected, "client \(envoy.locality)")
            #expect(groups.map(\.priority) == groups.map(\.priority).sorted())
            #expect(groups.reduce(0) { $0 + $1.endpoints.count } == endpoints.count)
        }
        // From region1/cluster1/a: same zone, same region, the failover region, the last resort.
        let client = Locality(region: "region1", cluster: "cluster1", zone: "a")
        let groups = EDSDocument.groups(upstream: upstream, client: client, endpoints: endpoints, plan: plan)
        #expect(groups.map { "\($0.locality.zone)=\($0.priority)" } == ["a=0", "b=1", "c=1", "d=2", "e=3"])
    }

    @Test func theFileIsADiscoveryResponseEnvoyReads() throws {
        let plan = try LabFixtures.plan(Self.yaml(trafficPolicy: Self.failover))
        let layout = try LabLayout(plan: plan, basePort: 31000)
        let upstream = EnvoyUpstream(service: "svc2")
        let pods = upstream.endpoints(among: layout.pods, plan: plan)
        let down = try #require(pods.first)
        let endpoints = pods.map { EDSEndpoint(pod: $0, health: $0 == down ? .unhealthy : .healthy) }
        let client = Locality(region: "region2", cluster: "cluster3", zone: "d")
        let text = EDSDocument.render(upstream: upstream, client: client, endpoints: endpoints, plan: plan, version: "7")
        let json = try LabFixtures.parse(text)
        #expect(json.string("version_info") == "7")
        let resource = try #require(json.objects("resources").first)
        #expect(resource.string("@type") == "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment")
        #expect(resource.string("cluster_name") == "outbound|8080||svc2.default.svc.cluster.local")
        #expect(resource.object("policy")?.int("overprovisioning_factor") == 140)
        let groups = resource.objects("endpoints")
        #expect(groups.first?.object("locality")?.string("zone") == "d")
        #expect(groups.first?.int("priority") == 0)
        #expect(groups.first?.object("locality")?.string("sub_zone") == "cluster3")
        var statuses: [Int: String] = [:]
        for group in groups {
            for endpoint in group.objects("lb_endpoints") {
                let port = try #require(endpoint.object("endpoint")?.object("address")?.object("socket_address")?.int("port_value"))
                statuses[port] = endpoint.string("health_status")
            }
        }
        #expect(statuses.count == pods.count)
        #expect(statuses[down.port] == "UNHEALTHY")
        #expect(statuses.values.filter { $0 == "HEALTHY" }.count == pods.count - 1)
    }

    @Test func withoutOutlierDetectionEveryEndpointIsPriorityZero() throws {
        let plan = try LabFixtures.plan(Self.yaml(trafficPolicy: ""))
        let layout = try LabLayout(plan: plan, basePort: 31000)
        let upstream = EnvoyUpstream(service: "svc2")
        let endpoints = upstream.endpoints(among: layout.pods, plan: plan).map { EDSEndpoint(pod: $0) }
        let groups = EDSDocument.groups(upstream: upstream, client: layout.envoys[0].locality, endpoints: endpoints, plan: plan)
        #expect(groups.count == 5)
        #expect(groups.allSatisfy { $0.priority == 0 && $0.weight == nil })
    }

    @Test func prioritiesCompactOverTheEndpointsSent() throws {
        // cluster1's pods gone (not ready, not sent): the client's best remaining locality is P0.
        let plan = try LabFixtures.plan(Self.yaml(trafficPolicy: Self.failover))
        let layout = try LabLayout(plan: plan, basePort: 31000)
        let upstream = EnvoyUpstream(service: "svc2")
        let endpoints = upstream.endpoints(among: layout.pods, plan: plan).filter { $0.cluster != "cluster1" }.map { EDSEndpoint(pod: $0) }
        let groups = EDSDocument.groups(upstream: upstream, client: Locality(region: "region1", cluster: "cluster1", zone: "a"), endpoints: endpoints, plan: plan)
        #expect(groups.map { "\($0.locality.cluster)=\($0.priority)" } == ["cluster2=0", "cluster3=1", "cluster4=2"])
    }

    @Test func distributeGivesLocalityWeightsAtOnePriority() throws {
        let policy = """
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: svc2}
                  spec:
                    host: svc2
                    trafficPolicy:
                      loadBalancer:
                        localityLbSetting:
                          enabled: true
                          distribute:
                            - from: region1/a/*
                              to: {"region1/a/*": 80, "region2/*": 20}
                      outlierDetection: {consecutive5xxErrors: 3}
            """
        let plan = try LabFixtures.plan(Self.yaml(trafficPolicy: policy))
        let layout = try LabLayout(plan: plan, basePort: 31000)
        let upstream = EnvoyUpstream(service: "svc2")
        let endpoints = upstream.endpoints(among: layout.pods, plan: plan).map { EDSEndpoint(pod: $0) }
        let groups = EDSDocument.groups(upstream: upstream, client: Locality(region: "region1", cluster: "cluster1", zone: "a"), endpoints: endpoints, plan: plan)
        #expect(groups.allSatisfy { $0.priority == 0 })
        let weights = Dictionary(uniqueKeysWithValues: groups.map { ($0.locality.zone, $0.weight) })
        #expect(weights == ["a": 8000, "d": 2000, "b": nil, "c": nil, "e": nil])
        // A client no rule matches has no locality weights.
        let other = EDSDocument.groups(upstream: upstream, client: Locality(region: "region2", cluster: "cluster3", zone: "d"), endpoints: endpoints, plan: plan)
        #expect(other.allSatisfy { $0.weight == nil })
    }
}
