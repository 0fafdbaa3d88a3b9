import QuakeCore
import QuakeLab
import Testing

/// A procedure's traffic shift as the lab's Envoys get it: which weight runtime keys change, and
/// the share each destination is left with, as the kubernetes target and the model compute it.
@Suite struct RouteWeightsTests {
    /// svc2's route over one subset per cluster, 40/30/30; frontend's route has one destination.
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: weights}
        topology:
          regions:
            r1:
              c1: {zones: {a: 1}}
              c2: {zones: {b: 1}}
              c3: {zones: {c: 1}}
        services:
          frontend: {replicas: 3, serviceTime: 1ms, calls: [svc2]}
          svc2: {replicas: 3, serviceTime: 1ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc2}
              spec:
                host: svc2
                subsets:
                  - {name: one, labels: {topology.istio.io/cluster: c1}}
                  - {name: two, labels: {topology.istio.io/cluster: c2}}
                  - {name: three, labels: {topology.istio.io/cluster: c3}}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: svc2}
              spec:
                hosts: [svc2]
                http:
                  - route:
                      - {destination: {host: svc2, subset: one}, weight: 40}
                      - {destination: {host: svc2, subset: two}, weight: 30}
                      - {destination: {host: svc2, subset: three}, weight: 30}
        traffic:
          - {from: r1/c1/a, to: frontend, rate: 10/s}
        schedule: {duration: 1m}
        """

    static func route(_ service: String) throws -> RouteWeights {
        let plan = try LabFixtures.plan(yaml)
        return RouteWeights(service: try #require(plan.service(named: service)), plan: plan)
    }

    static func key(_ subset: String) -> String { "quake.route.svc2.outbound|8080|\(subset)|svc2.default.svc.cluster.local" }

    /// Each destination's share of the requests: its weight over the route's sum, as Envoy divides.
    static func shares(_ route: RouteWeights) -> [String: Double] {
        let total = Double(route.current.reduce(0) { $0 + $1.weight })
        return Dictionary(uniqueKeysWithValues: route.current.map { ($0.upstream.subset ?? "", Double($0.weight) / total) })
    }

    @Test func shiftingAClusterToZeroSendsItsShareToTheOthersInProportion() throws {
        var route = try Self.route("svc2")
        #expect(route.current.map(\.weight) == [40, 30, 30])
        let pairs = try route.shift(cluster: "c2", to: 0)
        #expect(pairs.map(\.key) == [Self.key("two")] && pairs.map(\.value) == ["0"])
        #expect(route.current.map(\.weight) == [40, 0, 30])
        let shares = Self.shares(route)
        #expect(abs(shares["one"]! - 4.0 / 7) < 1e-9 && shares["two"] == 0 && abs(shares["three"]! - 3.0 / 7) < 1e-9, "\(shares)")
    }

    @Test func aSecondShiftReplacesTheFirstAndRestoreClearsTheKeys() throws {
        var route = try Self.route("svc2")
        _ = try route.shift(cluster: "c2", to: 0)
        let ten = try route.shift(cluster: "c2", to: 10)
        #expect(ten.map(\.value) == ["10"] && route.current.map(\.weight) == [40, 10, 30])
        let cleared = route.restore(cluster: "c2")
        #expect(cleared.map(\.key) == [Self.key("two")] && cleared.allSatisfy { $0.value.isEmpty }, "an empty value puts the bootstrap's weight back")
        #expect(route.current.map(\.weight) == [40, 30, 30] && route.shifted.isEmpty)
        #expect(route.restore(cluster: "c2").isEmpty, "nothing left to clear")
    }

    @Test func restoreAllClearsEveryShiftedCluster() throws {
        var route = try Self.route("svc2")
        _ = try route.shift(cluster: "c1", to: 0)
        _ = try route.shift(cluster: "c3", to: 5)
        #expect(Set(route.restoreAll().map(\.key)) == [Self.key("one"), Self.key("three")])
        #expect(route.current.map(\.weight) == [40, 30, 30])
    }

    @Test func refusesAShiftEnvoyCannotMake() throws {
        var single = try Self.route("frontend")
        #expect(single.refusal(cluster: "c2")?.contains("single destination") == true)
        #expect(throws: LabError.self) { try single.shift(cluster: "c2", to: 0) }

        var route = try Self.route("svc2")
        #expect(route.refusal(cluster: "c9")?.contains("no destination of svc2's route has a subset that selects c9") == true)
        _ = try route.shift(cluster: "c1", to: 0)
        _ = try route.shift(cluster: "c2", to: 0)
        #expect(throws: LabError.self) { try route.shift(cluster: "c3", to: 0) }
        #expect(route.current.map(\.weight) == [0, 0, 30], "a refused shift changes nothing")
    }

    @Test func theLabRefusesAPlanWhoseShiftHasNoWeightsToMove() throws {
        let shifting = Self.yaml.replacingOccurrences(of: "schedule: {duration: 1m}", with: """
            schedule:
              duration: 1m
              procedures:
                - name: away
                  at: 5s
                  steps:
                    - {step: shift-traffic, service: frontend, cluster: c2, weight: 0%}
            """)
        #expect(throws: LabError.self) { try LabTarget.checkSupported(try LabFixtures.plan(shifting)) }
        try LabTarget.checkSupported(try LabFixtures.plan(shifting.replacingOccurrences(of: "service: frontend, cluster: c2", with: "service: svc2, cluster: c2")))
    }
}
