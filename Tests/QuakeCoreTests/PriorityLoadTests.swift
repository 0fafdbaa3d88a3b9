import QuakeCore
import Testing

/// Envoy's priority load with overprovisioning factor 1.4 (SEMANTICS.md §4.2).
@Suite struct PriorityLoadTests {
    @Test(arguments: [(8, 100.0), (71, 99.4), (5, 70.0)])
    func priorityZeroShare(healthyOutOfTen: Int, expected: Double) {
        let total = healthyOutOfTen == 71 ? 100 : 10
        let loads = PriorityLoad.loads(healthy: [healthyOutOfTen, total], total: [total, total])
        #expect(abs(loads[0] - expected) < 0.01, "P0 takes \(loads[0]) %")
        #expect(abs(loads.reduce(0, +) - 100) < 1e-9)
    }

    @Test func quarterHealthyEachSplitsEvenly() {
        let loads = PriorityLoad.loads(healthy: [1, 1], total: [4, 4])
        #expect(abs(loads[0] - 50) < 1e-9 && abs(loads[1] - 50) < 1e-9)
    }

    @Test func workedExampleLeavesFiftySixPercentOnDeadHosts() {
        // 5 local endpoints all dead, 3 of them ejected (cap 30 % of 10): 2 dead hosts still count as healthy.
        let loads = PriorityLoad.loads(healthy: [2, 5], total: [5, 5])
        #expect(abs(loads[0] - 56) < 1e-9)
    }

    @Test func nothingHealthyMeansNoLoad() {
        #expect(PriorityLoad.loads(healthy: [0, 0], total: [3, 3]) == [0, 0])
        #expect(PriorityLoad.totalHealth(healthy: [0, 0], total: [3, 3]) == 0)
    }
}
