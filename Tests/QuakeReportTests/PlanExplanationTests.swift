import QuakePlan
import QuakeReport
import QuakeTestSupport
import Testing

/// `quake explain` shows what Quake derived from a plan, so a user can check it before a run.
@Suite struct PlanExplanationTests {
    func explain(_ experiment: String) throws -> String {
        let path = PlanFixtures.repository.appendingPathComponent("experiments/\(experiment)").path
        return PlanExplanation.render(try PlanLoader.load(path: path).plan)
    }

    @Test func zoneOutageShowsPrioritiesPlacementsAndSchedule() throws {
        let text = try explain("zone-outage.yaml")
        #expect(text.contains("from region1/cluster1/a: P0 cluster1/a | P1 cluster1/b | P2 cluster2/c | P3 cluster3/d"))
        #expect(text.contains("from region2/cluster3/d: P0 cluster3/d | P1 cluster1/a cluster1/b cluster2/c"))
        #expect(text.contains("static weights cluster1:2 cluster2:1 cluster3:1 → cluster1=4, cluster2=2, cluster3=2"))
        #expect(text.contains("5m–20m  zone-outage region1/cluster1/a"))
        #expect(text.contains("nodeMonitorGracePeriod: 50s"))
        #expect(text.contains("2 retries on 5xx,connect-failure, 500ms per try"))
    }

    @Test func defaultsAreNamedAsDefaults() throws {
        let text = try explain("zone-outage.yaml")
        #expect(text.contains("frontend"))
        #expect(text.contains("no PropagationPolicy selects it: divided evenly over every cluster"))
        #expect(text.contains("LEAST_REQUEST (Istio's default)"))
        #expect(text.contains("(Istio 1.24 default)"))
    }
}
