import QuakeCore
import QuakePlan
import QuakeTestSupport
import Testing

/// Every real Istio and Karmada manifest in ../shared/real-manifests must load as a user would
/// hand it over: no error, the modelled fields read with the right values, the rest warned about.
@Suite struct RealManifestTests {
    func load(_ name: String) throws -> LoadedPlan {
        try PlanLoader.load(text: PlanFixtures.planUsing(manifests: [RealManifests.path(name)]), file: "real.yaml", directory: "/")
    }

    func warnings(_ loaded: LoadedPlan) -> String { loaded.warnings.map(\.description).joined(separator: "\n") }

    @Test func theFolderHoldsTheManifests() {
        #expect(RealManifests.all.count == 20)
    }

    @Test(arguments: RealManifests.all)
    func everyManifestLoadsWithoutError(name: String) {
        do {
            _ = try load(name)
        } catch {
            Issue.record("\(name): \(error)")
        }
    }

    @Test func bookinfoDestinationRulesAreReadWithTheirSubsets() throws {
        let loaded = try load("istio-bookinfo-destination-rule-all.yaml")
        #expect(loaded.plan.destinationRules.map(\.host) == ["productpage", "reviews", "ratings", "details"])
        #expect(loaded.plan.destinationRules.allSatisfy { $0.outlierDetection == nil })
    }

    @Test func abortTestKeepsTheFaultAndWarnsAboutTheMatch() throws {
        let loaded = try load("istio-bookinfo-virtual-service-ratings-test-abort.yaml")
        let vs = try #require(loaded.plan.virtualService(for: "ratings"))
        #expect(vs.routes.count == 2)
        #expect(vs.routes[0].hasMatch)
        #expect(vs.routes[0].fault?.abort?.status == 500)
        #expect(vs.routes[0].fault?.abort?.percentage == Percentage(100))
        #expect(!vs.routes[1].hasMatch)
        #expect(warnings(loaded).contains("match conditions are not modelled"))
    }

    @Test func delayTestReadsTheFixedDelay() throws {
        let vs = try #require(try load("istio-bookinfo-virtual-service-ratings-test-delay.yaml").plan.virtualService(for: "ratings"))
        #expect(vs.routes[0].fault?.delay?.duration == .seconds(7))
        #expect(vs.routes[0].fault?.delay?.percentage == Percentage(100))
    }

    @Test func weightedRouteSplitsFiftyFifty() throws {
        let vs = try #require(try load("istio-bookinfo-virtual-service-reviews-50-v3.yaml").plan.virtualService(for: "reviews"))
        #expect(vs.routes[0].destinations.map(\.weight) == [50, 50])
        #expect(vs.routes[0].destinations.map(\.subset) == ["v1", "v3"])
    }

    @Test func detailsFaultWithoutTrailingNewline() throws {
        let loaded = try load("istio-bookinfo-fault-injection-details-v1.yaml")
        #expect(loaded.plan.virtualService(for: "details")?.routes.first?.fault?.abort?.status == 555)
        #expect(loaded.plan.destinationRule(for: "details") != nil)
    }

    @Test func istioTestdataDestinationRuleReadsPoolAndOutlierDetection() throws {
        let loaded = try load("istio-tests-testdata-config-destination-rule-all.yaml")
        let rule = try #require(loaded.plan.destinationRule(for: "destall"))
        #expect(rule.loadBalancer == .roundRobin)
        #expect(rule.outlierDetection?.interval == .milliseconds(8))
        #expect(rule.connectionPool.maxConnections != ConnectionPool.unlimited)
        let text = warnings(loaded)
        #expect(text.contains("ServiceEntry"))
        #expect(text.contains("spec.trafficPolicy.tls: not modelled"))
        #expect(text.contains("trafficPolicy: not modelled"))
    }

    @Test func bookinfoWorkloadsAreWarnedAboutNotDropped() throws {
        let loaded = try load("istio-bookinfo-platform-kube-bookinfo.yaml")
        #expect(loaded.warnings.count == 14)  // 14 objects; the trailing `---` opens an empty document
        #expect(warnings(loaded).contains("Deployment 'productpage-v1' (apps/v1) is not modelled"))
    }

    @Test func circuitBreakingIndentedByFourSpaces() throws {
        let rule = try #require(try load("istio-docs-circuit-breaking.yaml").plan.destinationRule(for: "httpbin"))
        #expect(rule.connectionPool.maxConnections == 1)
        #expect(rule.connectionPool.maxPendingRequests == 1)
        #expect(rule.connectionPool.maxRequestsPerConnection == 1)
        #expect(rule.outlierDetection == OutlierDetection(consecutive5xxErrors: 1, interval: .seconds(1), baseEjectionTime: .minutes(3), maxEjectionPercent: Percentage(100)))
    }

    @Test func localityFailoverAndPriority() throws {
        let failover = try #require(try load("istio-docs-locality-failover.yaml").plan.destinationRule(for: "helloworld"))
        #expect(failover.locality?.failover.first?.from == "region1")
        #expect(failover.locality?.failover.first?.to == "region2")
        #expect(failover.outlierDetection?.baseEjectionTime == .minutes(1))
        let priority = try #require(try load("istio-docs-ambient-multicluster-failover-priority.yaml").plan.destinationRule(for: "helloworld"))
        #expect(priority.locality?.failoverPriority == ["topology.istio.io/cluster"])
        #expect(priority.loadBalancer == .roundRobin)
    }

    @Test func localityDistributeWeights() throws {
        let rule = try #require(try load("istio-docs-locality-distribute.yaml").plan.destinationRule(for: "helloworld"))
        #expect(rule.locality?.distribute.first?.from == "region1/zone1/*")
        #expect(rule.locality?.distribute.first?.to.map(\.weight) == [70, 20, 10])
    }

    @Test func nginxPolicyDividesByStaticWeights() throws {
        let plan = try load("karmada-samples-nginx-propagationpolicy.yaml").plan
        let nginx = try #require(plan.service(named: "nginx"))
        let policy = try #require(plan.propagationPolicy(for: nginx))
        #expect(policy.replicaScheduling.mode == .staticWeights(["member1": 1, "member2": 1]))
        #expect(policy.clusterAffinity?.clusterNames == ["member1", "member2"])
    }

    @Test func dynamicWeightWithTrailingSpace() throws {
        let plan = try load("karmada-docs-propagation-policy-dynamic-weight.yaml").plan
        #expect(plan.propagationPolicies.first?.replicaScheduling.mode == .dynamicWeight)
    }

    @Test func applicationFailoverTolerationAndPurgeMode() throws {
        let loaded = try load("karmada-docs-application-failover-example.yaml")
        let failover = try #require(loaded.plan.propagationPolicies.first?.failover)
        #expect(failover.applicationTolerationSeconds == .seconds(120))
        #expect(failover.applicationPurgeMode == "Never")
        #expect(loaded.plan.propagationPolicies.first?.spreadConstraints.first?.maxGroups == 1)
        #expect(warnings(loaded).contains("Deployment 'nginx'"))
        #expect(warnings(loaded).contains("propagateDeps: not modelled"))
    }

    @Test func clusterFailoverPurgeModeOfNewerKarmada() throws {
        let loaded = try load("karmada-docs-cluster-failover-state-preservation.yaml")
        #expect(loaded.plan.propagationPolicies.first?.failover?.clusterPurgeMode == "Directly")
        #expect(warnings(loaded).contains("selects no service of this plan"))
        #expect(warnings(loaded).contains("statePreservation: not modelled"))
    }

    @Test func clusterTaintPolicyConditionsAndTaints() throws {
        let policy = try #require(try load("karmada-docs-cluster-taint-policy.yaml").plan.clusterTaintPolicies.first)
        #expect(policy.taints.first?.effect == "NoSchedule")
        #expect(policy.addOnConditions.first?.conditionType == "KubeComponentsHealthy")
        #expect(policy.addOnConditions.first?.matches("False") == true)
        #expect(policy.removeOnConditions.first?.matches("True") == true)
    }

    @Test func tolerationWithOnlyAnEffect() throws {
        let toleration = try #require(try load("karmada-artifacts-example-propagationpolicy-taint-toleration.yaml").plan.propagationPolicies.first?.clusterTolerations.first)
        #expect(toleration.key == nil)
        #expect(toleration.tolerates(key: "anything", value: nil, effect: "NoSchedule"))
        #expect(!toleration.tolerates(key: "anything", value: nil, effect: "NoExecute"))
    }

    @Test func karmadaClusterObjectUpdatesTheTopology() throws {
        let loaded = try load("karmada-artifacts-example-cr-cluster.yaml")
        #expect(loaded.plan.topology.cluster(named: "cluster-foo")?.provider == "huaweicloud")
        #expect(warnings(loaded).contains("Secret 'secret-foo'"))
        #expect(warnings(loaded).contains("apiEndpoint: not modelled"))
    }

    @Test func clusterPropagationPoliciesSelectingCRDs() throws {
        let loaded = try load("karmada-docs-multi-cluster-service-clusterpropagationpolicy.yaml")
        #expect(loaded.plan.propagationPolicies.map(\.kind) == ["ClusterPropagationPolicy", "ClusterPropagationPolicy"])
        #expect(loaded.plan.propagationPolicies.allSatisfy { $0.namespace == nil })
        let guestbook = try load("karmada-samples-guestbook-clusterpropagationpolicy.yaml")
        #expect(guestbook.plan.propagationPolicies.first?.resourceSelectors.first?.kind == "CustomResourceDefinition")
    }
}
