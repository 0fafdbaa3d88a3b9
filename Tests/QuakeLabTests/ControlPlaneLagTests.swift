import QuakeCore
import Testing
@testable import QuakeLab

struct ControlPlaneLagTests {
    @Test func onlyAChangeLaterThanAQuarterSecondIsAWarningAndTheWorstIsNamed() {
        var lag = ControlPlaneLag()
        let drop = ControlPlaneChange(at: .milliseconds(13_150), pod: "backend-c1-0", kind: .endpoint(added: false))
        lag.record(drop, appliedAt: .milliseconds(13_390))
        #expect(lag.warning == nil, "0.24 s late is scheduling noise")
        let add = ControlPlaneChange(at: .milliseconds(16_150), pod: "backend-c1-2", kind: .endpoint(added: true))
        lag.record(add, appliedAt: .milliseconds(16_950))
        lag.record(drop, appliedAt: .milliseconds(13_500))
        let warning = lag.warning ?? "no warning"
        #expect(warning.contains("\(TimeSpan.milliseconds(800)) after it was due"), "\(warning)")
        #expect(warning.contains("backend-c1-2 endpoint added"), "the worst change is named: \(warning)")
    }
}
