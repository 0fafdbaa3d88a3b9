import QuakeCore
import QuakeLab
import Testing

/// `quake run --target lab --dry-run` of a canary procedure: each step's runtime keys and admin
/// URLs, signals and waits, with the same names the run would use.
@Suite struct LabProcedureDryRunTests {
    static let yaml = RouteWeightsTests.yaml.replacingOccurrences(of: "schedule: {duration: 1m}", with: """
        target: {lab: {basePort: 31500}}
        schedule:
          duration: 1m
          procedures:
            - name: canary of c2
              at: 5s
              steps:
                - {step: shift-traffic, service: svc2, cluster: c2, weight: 0%, wait: 5s}
                - {step: migrate-workloads, cluster: c2, wait: 5s}
                - {step: upgrade, cluster: c2, takes: 10s}
                - {step: check, cluster: c2, timeout: 20s}
                - {step: restore-workloads, cluster: c2, wait: 5s}
                - {step: restore-traffic, service: svc2, cluster: c2}
        """)

    @Test func namesEachStepsKeysURLsAndSignals() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan)
        let envoy = try #require(layout.envoys.first)
        let text = try LabDryRun.actions(plan: plan, changes: [], directory: "/tmp/dry/lab", options: LabOptions(quakeExecutable: "/usr/bin/quake")).joined(separator: "\n")
        let key = "quake.route.svc2.outbound%7C8080%7Ctwo%7Csvc2.default.svc.cluster.local"
        #expect(text.contains("  5s canary of c2: step 1/6: shift-traffic: weight of svc2 in c2 to 0%\n    POST http://127.0.0.1:\(envoy.adminPort)/runtime_modify?\(key)=0\n    GET http://127.0.0.1:\(envoy.adminPort)/runtime (confirms the keys)"), "\(text)")
        #expect(text.contains("  10s canary of c2: step 2/6: migrate-workloads"))
        let c2Pods = layout.pods.filter { $0.cluster == "c2" }
        #expect(!c2Pods.isEmpty)
        #expect(text.contains("  15s canary of c2: step 3/6: upgrade"))
        #expect(text.contains("    SIGKILL the pods of c2-b-1: \(c2Pods.map { "\($0.name) (127.0.0.1:\($0.port))" }.joined(separator: ", "))"))
        #expect(text.contains("    at 25s the upgrade is done: the pods the control plane did not delete start again"))
        #expect(text.contains("  25s canary of c2: step 4/6: check"))
        #expect(text.contains("canary of c2: step 6/6: restore-traffic"))
        #expect(text.contains("    POST http://127.0.0.1:\(envoy.adminPort)/runtime_modify?\(key)=\n"), "the restore clears the key")
    }
}
