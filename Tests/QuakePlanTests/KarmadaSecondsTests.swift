import QuakeCore
import QuakePlan
import Testing

/// Karmada's `…Seconds` fields (`clusterTolerations[].tolerationSeconds`, application failover's
/// `tolerationSeconds` and `gracePeriodSeconds`) read as exact spans, and a bad value is refused
/// where it stands, as Karmada's int32 fields are.
@Suite struct KarmadaSecondsTests {
    static func plan(toleration: String, applicationToleration: String, gracePeriod: String) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: seconds}
        topology:
          regions:
            region1:
              member1: {zones: {a: 1}}
              member2: {zones: {b: 1}}
        services:
          nginx: {replicas: 2, serviceTime: 2ms}
        placement:
          - inline:
              apiVersion: policy.karmada.io/v1alpha1
              kind: PropagationPolicy
              metadata: {name: nginx}
              spec:
                resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]
                placement:
                  clusterTolerations:
                    - {key: not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: \(toleration)}
                    - {key: unreachable, operator: Exists, effect: NoExecute}
                failover:
                  application:
                    decisionConditions: {tolerationSeconds: \(applicationToleration)}
                    gracePeriodSeconds: \(gracePeriod)
        schedule: {duration: 5m}
        """
    }

    @Test func wholeSecondsReadAsExactSpans() throws {
        let plan = try PlanLoader.load(text: Self.plan(toleration: "60", applicationToleration: "120", gracePeriod: "2147483647"), file: "p.yaml").plan
        let policy = try #require(plan.propagationPolicies.first)
        #expect(policy.clusterTolerations.map(\.tolerationSeconds) == [.seconds(60), nil], "no tolerationSeconds tolerates forever")
        #expect(policy.failover?.applicationTolerationSeconds == .seconds(120))
        #expect(policy.failover?.applicationGracePeriodSeconds == TimeSpan(microseconds: 2_147_483_647_000_000), "Karmada's largest int32 is read to the second")
    }

    @Test func applicationFailoverWithoutDecisionConditionsToleratesFiveMinutes() throws {
        let text = Self.plan(toleration: "0", applicationToleration: "1", gracePeriod: "600")
            .replacingOccurrences(of: "decisionConditions: {tolerationSeconds: 1}", with: "purgeMode: Gracefully")
        let policy = try #require(try PlanLoader.load(text: text, file: "p.yaml").plan.propagationPolicies.first)
        #expect(policy.failover?.applicationTolerationSeconds == .seconds(300))
        #expect(policy.clusterTolerations.first?.tolerationSeconds == .zero, "0 evicts at once")
    }

    /// Each field's error as `quake validate` prints it, one error each.
    @Test(arguments: [
        ("1.5", "expected a whole number, found '1.5'"),
        ("60s", "expected a whole number, found '60s'"),
        ("-1", "-1 is out of range; expected 0…2147483647"),
        ("2147483648", "2147483648 is out of range; expected 0…2147483647"),
        ("[60]", "expected a whole number, found a list"),
    ])
    func aValueThatIsNotWholeSecondsIsRefusedWhereItStands(value: String, message: String) throws {
        let error = try #require(throws: PlanError.self) {
            try PlanLoader.load(text: Self.plan(toleration: value, applicationToleration: value, gracePeriod: value), file: "p.yaml")
        }
        #expect(error.errors.map(\.description) == [
            "p.yaml:20:88: error: placement[0].inline.spec.placement.clusterTolerations[0].tolerationSeconds: \(message)",
            "p.yaml:24:53: error: placement[0].inline.spec.failover.application.decisionConditions.tolerationSeconds: \(message)",
            "p.yaml:25:33: error: placement[0].inline.spec.failover.application.gracePeriodSeconds: \(message)",
        ])
    }
}
