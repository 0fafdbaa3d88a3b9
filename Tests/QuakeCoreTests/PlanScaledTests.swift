import QuakeCore
import Testing

/// `Plan.scaled(by:)`, the plan the lab runs with `--time-scale`: every Kubernetes and Karmada
/// duration compressed to the microsecond, everything a request does and the schedule as written.
@Suite struct PlanScaledTests {
    static let locality = Locality(region: "r", cluster: "c1", zone: "z")

    /// Two clusters; `svc` has a PropagationPolicy with `tolerations`, application failover after
    /// 120 s with a 600 s grace period, a DestinationRule with outlier detection and a 2 s connect
    /// timeout, a route with a timeout, retries and a fault delay, a probe and a replicas SLO.
    static func plan(tolerations: [TimeSpan?] = [.seconds(10), .seconds(60), nil], timings: Timings? = nil) -> Plan {
        let other = Locality(region: "r", cluster: "c2", zone: "y")
        let topology = Topology(regions: [Region(name: "r", clusters: [
            Cluster(name: "c1", region: "r", zones: [Zone(name: "z", nodes: [ClusterNode(name: "n1", locality: locality)])]),
            Cluster(name: "c2", region: "r", zones: [Zone(name: "y", nodes: [ClusterNode(name: "n2", locality: other)])]),
        ])])
        let service = ServiceSpec(name: "svc", replicas: 2, serviceTime: .logNormal(p50: .milliseconds(5), p99: .milliseconds(40)),
                                  startupTime: .seconds(30), rateLimit: LocalRateLimit(maxTokens: 10, tokensPerFill: 10, fillInterval: .seconds(1)))
        let policy = PropagationPolicy(
            name: "svc", resourceSelectors: [ResourceSelector(apiVersion: "apps/v1", kind: "Deployment", name: "svc")],
            clusterTolerations: tolerations.map { ClusterToleration(key: "not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: $0) },
            failover: FailoverBehavior(applicationTolerationSeconds: .seconds(120), applicationPurgeMode: "Gracefully", applicationGracePeriodSeconds: .seconds(600)))
        let rule = DestinationRule(name: "svc", host: "svc", outlierDetection: OutlierDetection(interval: .seconds(10), baseEjectionTime: .seconds(30)),
                                   connectionPool: ConnectionPool(connectTimeout: .seconds(2)))
        let route = HTTPRoute(destinations: [RouteDestination(host: "svc")], timeout: .seconds(3),
                              retries: RetryPolicy(attempts: 2, perTryTimeout: .seconds(1), retryOn: ["5xx"]),
                              fault: HTTPFaultInjection(delay: (duration: .milliseconds(200), percentage: Percentage(10))))
        let slo = SLOSpec(name: "replicas", sli: .replicasReady(service: "svc"), objective: Objective(comparison: .atLeast, threshold: 2, unit: .number, within: .minutes(8)), window: .minutes(1))
        return Plan(metadata: PlanMetadata(name: "t"), topology: topology, services: [service],
                    propagationPolicies: [policy], clusterTaintPolicies: [], destinationRules: [rule],
                    virtualServices: [VirtualService(name: "svc", hosts: ["svc"], routes: [route])],
                    controlPlane: ControlPlane(timings: timings),
                    traffic: [LoadSpec(from: locality, to: "svc", rate: Rate(perSecond: 100), rampFrom: Rate(perSecond: 10), rampDuration: .seconds(30))],
                    probes: [ProbeSpec(name: "health", target: .service("svc", from: locality), interval: .seconds(5), timeout: .milliseconds(500))],
                    slos: [slo], stopConditions: [StopCondition(sli: .replicasReady(service: "svc"), condition: Objective(comparison: .below, threshold: 1, unit: .number), duration: .seconds(20))],
                    safety: SafetyPolicy(),
                    schedule: Schedule(duration: .minutes(20), faults: [FaultSpec(at: .minutes(1), duration: .minutes(15), fault: .clusterOutage(cluster: "c1"))]),
                    target: TargetSettings(), seed: 1, warnings: [])
    }

    @Test func everyKubernetesAndKarmadaDurationIsCompressedToTheMicrosecond() throws {
        let scaled = Self.plan().scaled(by: 0.05)
        let policy = try #require(scaled.propagationPolicies.first)
        #expect(policy.clusterTolerations.map(\.tolerationSeconds) == [.milliseconds(500), .seconds(3), nil],
                "10 s becomes 0.5 s, not 0 or 1 s; 60 s becomes 3 s; no tolerationSeconds stays forever")
        #expect(policy.failover == FailoverBehavior(applicationTolerationSeconds: .seconds(6), applicationPurgeMode: "Gracefully", applicationGracePeriodSeconds: .seconds(30)))
        #expect(scaled.services.map(\.startupTime) == [.milliseconds(1500)])
        let timings = scaled.controlPlane.timings
        #expect(timings.nodeMonitorGracePeriod == .milliseconds(2500))
        #expect(timings.nodeMonitorPeriod == .milliseconds(250))
        #expect(timings.unreachableTolerationSeconds == .seconds(15))
        #expect(timings.istiodPushDelay == .milliseconds(25))
        #expect(timings.clusterStatusUpdateFrequency == .milliseconds(500))
        #expect(timings.failoverEvictionTimeout == .seconds(15))
        #expect(timings.gracefulEvictionTimeout == .seconds(30))
        #expect(timings.nodeEvictionRate == 2, "0.1 node/s becomes 2 nodes/s")
        #expect(timings.resourceEvictionRate == 10, "0.5 binding/s becomes 10 bindings/s")
        #expect(timings.retryBackoffBase == .milliseconds(25) && timings.retryBackoffMax == .milliseconds(250), "Envoy's retry back-off is a request timing")
    }

    @Test func whatARequestDoesAndTheScheduleStayAsWritten() throws {
        let plan = Self.plan()
        let scaled = plan.scaled(by: 0.05)
        #expect(scaled.services.map(\.serviceTime) == plan.services.map(\.serviceTime))
        #expect(scaled.services.map(\.rateLimit) == plan.services.map(\.rateLimit))
        #expect(scaled.topology.latency == plan.topology.latency)
        let rule = try #require(scaled.destinationRules.first)
        #expect(rule.outlierDetection == plan.destinationRules.first?.outlierDetection, "the lab's Envoy bootstrap compresses outlier detection itself")
        #expect(rule.connectionPool.connectTimeout == .seconds(2))
        #expect(scaled.virtualServices.first?.routes == plan.virtualServices.first?.routes)
        #expect(scaled.schedule.duration == .minutes(20) && scaled.schedule.faults == plan.schedule.faults)
        #expect(scaled.traffic.map(\.rampDuration) == [.seconds(30)])
        #expect(scaled.probes == plan.probes)
        #expect(scaled.slos.map(\.objective) == plan.slos.map(\.objective) && scaled.slos.map(\.window) == plan.slos.map(\.window))
        #expect(scaled.stopConditions == plan.stopConditions)
        #expect(scaled.target == plan.target)
    }

    @Test func zeroStaysImmediateAndNothingPositiveVanishes() throws {
        var timings = Timings.defaults(kubernetes: Version(1, 32))
        timings.endpointSliceDelay = .milliseconds(0.1)
        let scaled = Self.plan(tolerations: [.zero, .seconds(1)], timings: timings).scaled(by: 0.001)
        #expect(scaled.propagationPolicies.first?.clusterTolerations.map(\.tolerationSeconds) == [.zero, .milliseconds(1)])
        #expect(scaled.controlPlane.timings.endpointSliceDelay == TimeSpan(microseconds: 1), "0.1 µs is kept as 1 µs")
    }

    @Test func aScaleOfOneChangesNothing() throws {
        let plan = Self.plan()
        let same = plan.scaled(by: 1)
        #expect(same.controlPlane.timings == plan.controlPlane.timings)
        #expect(same.services.map(\.startupTime) == plan.services.map(\.startupTime))
        #expect(same.propagationPolicies.map(\.clusterTolerations) == plan.propagationPolicies.map(\.clusterTolerations))
        #expect(same.propagationPolicies.map(\.failover) == plan.propagationPolicies.map(\.failover))
    }
}
