import Foundation
import QuakeCore
import QuakePlan
import QuakeTestSupport
import Testing

/// What a valid plan turns into, and how the loader reports several errors at once.
@Suite struct PlanLoaderTests {
    static let base = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: t, tags: [a, b], owner: me}
        topology:
          latency: {sameZone: 0.3ms, crossZone: 2ms, crossRegion: 40ms}
          regions:
            region1:
              cluster1: {zones: {a: 2, b: {nodes: [n1, n2, n3], labels: {disk: ssd}, podCapacity: 20}}, labels: {env: prod}, syncMode: Pull}
            region2:
              cluster2: {zones: {c: {nodes: 1}}}
        services:
          frontend: {replicas: 4, serviceTime: {p50: 4ms, p99: 30ms}, calls: [svc2]}
          svc2: {replicas: 3, serviceTime: 8ms, errorRate: 0.5%, kind: StatefulSet, port: 9090}
        schedule:
          duration: 30m

        """

    func load(_ extra: String = "", replacing: (String, String)? = nil) throws -> Plan {
        var text = Self.base + extra
        if let (a, b) = replacing { text = text.replacingOccurrences(of: a, with: b) }
        return try PlanLoader.load(text: text, file: "t.yaml").plan
    }

    func errors(_ extra: String = "", replacing: (String, String)? = nil) -> [PlanDiagnostic] {
        do {
            _ = try load(extra, replacing: replacing)
            return []
        } catch let error as PlanError {
            return error.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func topologyShorthandsAndNodeNames() throws {
        let plan = try load()
        #expect(plan.topology.latency.crossRegion == .milliseconds(40))
        let c1 = try #require(plan.topology.cluster(named: "cluster1"))
        #expect(c1.nodes.map(\.name) == ["cluster1-a-1", "cluster1-a-2", "n1", "n2", "n3"])
        #expect(c1.zones[1].nodes[0].podCapacity == 20)
        #expect(c1.zones[1].nodes[0].labels == ["disk": "ssd"])
        #expect(c1.syncMode == .pull)
        #expect(c1.labels == ["env": "prod"])
        #expect(plan.topology.node(named: "n2")?.locality == Locality(region: "region1", cluster: "cluster1", zone: "b"))
    }

    @Test func servicesWithDefaults() throws {
        let plan = try load()
        let svc2 = try #require(plan.service(named: "svc2"))
        #expect(svc2.serviceTime == .fixed(.milliseconds(8)))
        #expect(svc2.errorRate == Percentage(0.5))
        #expect(svc2.workloadKind == .statefulSet)
        #expect(svc2.labels == ["app": "svc2"])
        #expect(plan.service(named: "frontend")?.calls == ["svc2"])
        #expect(plan.seed == 1)
        #expect(plan.target.kind == .model)
    }

    @Test func faultsSLOsAndStopConditions() throws {
        let plan = try load("""
            traffic:
              - {from: region1/cluster1/a, to: frontend, rate: 30000/m, arrival: poisson, ramp: {from: 0/s, over: 1m}}
            slos:
              - {name: avail, sli: "successRatio(frontend, from=region1/cluster1/a)", objective: ">= 99.5%", window: 30s, weight: 2}
              - {name: p99, sli: "latency(frontend, p99.9)", objective: "<= 250ms"}
              - {name: pods, sli: replicasReady(svc2), objective: ">= 3 within 8m"}
              - {name: burn, sli: "errorBudgetBurn(frontend, 99.9%)", objective: "<= 10"}
              - {name: share, sli: "trafficShare(frontend, region2)", objective: "<= 20%"}
              - {name: mesh, sli: "promql(sum(rate(istio_requests_total{response_code!~'5..'}[1m])) / sum(rate(istio_requests_total[1m])))", objective: ">= 99.9%"}
            stopConditions:
              - successRatio(frontend) < 80% for 30s
              - {sli: errorCount(svc2), condition: "> 0"}
            """, replacing: ("  duration: 30m\n", """
              duration: 30m
              faults:
                - {at: 5m, fault: node-hang, node: n1, for: 2m}
                - {at: 1m, fault: zone-outage, zone: region1/cluster1/a, for: 1m}
                - {at: 3m, fault: http-abort, service: svc2, percentage: 25%}
                - {at: 3m, fault: http-delay, service: svc2, delay: 200ms, percentage: 10%, for: 1m}
                - {at: 4m, fault: partition, between: [region1, [region2/cluster2]], for: 1m}
                - {at: 6m, fault: pod-kill, service: svc2, percentage: 50%}

            """))
        #expect(plan.traffic.first?.rate.perSecond == 500)
        #expect(plan.traffic.first?.rate(at: .seconds(30)).perSecond == 250)
        #expect(plan.slos.map(\.sli) == [
            .successRatio(service: "frontend", from: Locality(region: "region1", cluster: "cluster1", zone: "a")),
            .latency(service: "frontend", percentile: 99.9), .replicasReady(service: "svc2"),
            .errorBudgetBurn(service: "frontend", target: Percentage(99.9)), .trafficShare(service: "frontend", locality: "region2"),
            .promQL(query: "sum(rate(istio_requests_total{response_code!~'5..'}[1m])) / sum(rate(istio_requests_total[1m]))", unit: .percentage),
        ])
        #expect(plan.slos[2].objective.within == .minutes(8))
        #expect(plan.slos[0].objective.isMet(by: 99.6))
        #expect(!plan.slos[0].objective.isMet(by: 99.4))
        #expect(plan.stopConditions[0].duration == .seconds(30))
        #expect(plan.stopConditions[0].condition.comparison == .below)
        #expect(plan.schedule.faults.map(\.fault.kind) == [.nodeHang, .zoneOutage, .httpAbort, .httpDelay, .partition, .podKill])
        #expect(plan.schedule.faults[2].fault == .httpAbort(service: "svc2", status: 503, percentage: Percentage(25)))
        #expect(plan.schedule.faults[2].end(experimentDuration: plan.schedule.duration) == .minutes(30))
        #expect(plan.schedule.faults[4].fault == .partition(sideA: ["region1"], sideB: ["region2/cluster2"]))
    }

    @Test func canaryUpgradeExpandsToTheTalksSteps() throws {
        let plan = try load(replacing: ("  duration: 30m\n", """
              duration: 30m
              procedures:
                - {at: 2m, procedure: cluster-canary-upgrade, cluster: cluster2, services: [svc2], upgradeTakes: 4m, settle: 3m}
            safety: {allowWholeRegion: true}

            """))
        let p = try #require(plan.schedule.procedures.first)
        #expect(p.steps.map(\.action.kind) == ["shift-traffic", "migrate-workloads", "upgrade", "check", "restore-workloads", "restore-traffic"])
        #expect(p.stepStarts == [.minutes(2), .seconds(150), .seconds(330), .seconds(570), .seconds(570), .seconds(750)])
    }

    /// How the kubernetes target reaches each member cluster: a context, or Karmada's proxy.
    @Test func kubernetesTargetClustersAndNamespace() throws {
        let plan = try load("""
            target:
              kubernetes:
                karmadaContext: karmada-apiserver
                namespace: shop
                clusters:
                  cluster1: {context: member1}
                  cluster2: {viaKarmada: true}
            """)
        #expect(plan.target.kubeClusters == ["cluster1": .context("member1"), "cluster2": .viaKarmada])
        #expect(plan.target.kubeNamespace == "shop" && plan.target.karmadaContext == "karmada-apiserver")
        let found = errors("""
            target:
              kubernetes:
                clusters:
                  clustr1: {context: member1}
                  cluster2: {context: member2, viaKarmada: true}
            """)
        #expect(found.map(\.message) == ["no cluster 'clustr1' in the topology; did you mean 'cluster1'?", "give either context: NAME or viaKarmada: true"], "\(found)")
    }

    /// The kubernetes target's Prometheus and ingress are URLs, kept without a trailing slash.
    @Test func kubernetesTargetPrometheusAndIngressAreURLs() throws {
        let plan = try load("""
            target:
              kubernetes: {prometheus: "http://prometheus.monitoring:9090/", ingress: https://gateway.example}
            """)
        #expect(plan.target.prometheusURL == "http://prometheus.monitoring:9090" && plan.target.kubeIngress == "https://gateway.example")
        let found = errors("""
            target:
              kubernetes: {prometheus: prometheus.monitoring:9090}
            """)
        #expect(found.map(\.message) == ["'prometheus.monitoring:9090' is not an http:// or https:// URL"], "\(found)")
    }

    @Test func everyErrorOfAFileAtOnce() {
        let found = errors(replacing: ("replicas: 4", "replicas: four")) + []
        #expect(found.count == 1)
        let many = errors("""
            slos:
              - {name: x, sli: successRatoi(frontend), objective: ">= 99%"}
            seeed: 3
            """, replacing: ("serviceTime: 8ms", "serviceTime: 8"))
        #expect(many.count == 3)
        #expect(many.contains { $0.message.contains("did you mean 'successRatio'") })
        #expect(many.contains { $0.key == "seeed" && $0.message.contains("did you mean 'seed'") })
        #expect(many.contains { $0.message.contains("a duration needs a unit") && $0.line == 13 })
    }

    @Test func errorsCarryLineAndColumn() throws {
        let found = errors(replacing: ("calls: [svc2]", "calls: [svc3]"))
        let error = try #require(found.first)
        #expect(error.line == 12)
        #expect(error.column == 71)
        #expect(error.description.hasPrefix("t.yaml:12:71: error: services.frontend.calls[0]: service 'frontend' calls 'svc3'"))
        #expect(error.message.contains("did you mean 'svc2'"))
    }
}
