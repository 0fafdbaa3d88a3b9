import QuakeCore
@testable import QuakeLab
import Testing

/// `quake run --target lab --dry-run`: the lab's actions, named with the same pods, ports, keys and
/// URLs the run would use.
@Suite struct LabDryRunTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: dry}
        target: {lab: {basePort: 31000}}
        topology:
          regions:
            r1:
              c1: {zones: {a: 2, b: 2}}
        services:
          front: {replicas: 2, serviceTime: 1ms, calls: [back]}
          back: {replicas: 4, serviceTime: 1ms, startupTime: 2s}
        traffic:
          - {from: r1/c1/a, to: front, rate: 10/s}
        schedule:
          duration: 60s
          faults:
            - {at: 5s, fault: node-hang, node: c1-a-1, for: 10s}
            - {at: 20s, fault: http-abort, service: back, status: 503, percentage: 25%, for: 5s}
            - {at: 30s, fault: zone-outage, zone: r1/c1/b, for: 10s}
        """

    @Test func namesTheProcessesSignalsAndAdminCallsOfTheRun() throws {
        let plan = try LabFixtures.plan(Self.plan)
        let layout = try LabLayout(plan: plan)
        let replacement = ControlPlaneChange(at: .seconds(35), pod: "back-c1-9", kind: .created(service: "back", node: "c1-a-2", locality: Locality(region: "r1", cluster: "c1", zone: "a")))
        let lines = try LabDryRun.actions(plan: plan, changes: [replacement, ControlPlaneChange(at: .seconds(36), pod: "back-c1-9", kind: .endpoint(added: true))],
                                          directory: "/tmp/dry/lab", options: LabOptions(quakeExecutable: "/usr/bin/quake"))
        let text = lines.joined(separator: "\n")

        for pod in layout.pods {
            #expect(text.contains("start pod \(pod.name) (\(pod.service) on node \(pod.node), 127.0.0.1:\(pod.port)): /usr/bin/quake pod --port \(pod.port) "), "\(pod.name)")
        }
        let envoy = try #require(layout.envoys.first)
        #expect(text.contains("start \(envoy.name) for clients in r1/c1/a (listener http://127.0.0.1:\(envoy.listenerPort), admin http://127.0.0.1:\(envoy.adminPort)): /bin/sh -c '\"$0\" \"$@\"; exit $?' "))
        #expect(text.contains("start prometheus (31000): prometheus --config.file=/tmp/dry/lab/prometheus.yml"))

        let hung = layout.pods.filter { $0.node == "c1-a-1" }.map { "\($0.name) (127.0.0.1:\($0.port))" }.joined(separator: ", ")
        #expect(text.contains("  5s inject node-hang c1-a-1:\n    SIGSTOP the pods of c1-a-1: \(hung)"))
        func failures(_ note: String) -> String { layout.envoys.map { "    GET \(EnvoyAdmin.upstreamFailureStatsURL($0)) (\(note))" }.joined(separator: "\n") }
        #expect(text.contains("    SIGSTOP the pods of c1-a-1: \(hung)\n\(failures(LabDryRun.failuresBefore))"))
        #expect(text.contains("  15s revert node-hang c1-a-1:\n\(failures(LabDryRun.failuresSince))\n    SIGCONT the pods of c1-a-1: \(hung)"))
        #expect(text.contains("    POST http://127.0.0.1:\(envoy.adminPort)/runtime_modify?quake.fault.back.abort_http_status=503&quake.fault.back.abort_percent=25\n    GET http://127.0.0.1:\(envoy.adminPort)/runtime (confirms the keys)"))
        #expect(text.contains("/runtime_modify?quake.fault.back.abort_percent=&quake.fault.back.abort_http_status=&quake.fault.back.delay_percent=&quake.fault.back.delay_ms="), "the revert clears every key")

        // The zone's two nodes lose their pods at 30 s, restarted at 40 s listening after the
        // startupTime; the control plane's replacement starts on its own port.
        for node in ["c1-b-1", "c1-b-2"] {
            #expect(text.contains("    SIGKILL the pods of \(node): "))
            for pod in layout.pods where pod.node == node {
                let startup = try #require(plan.service(named: pod.service)?.startupTime)
                #expect(text.contains("restart pod \(pod.name), listening after \(startup): /usr/bin/quake pod --port \(pod.port) "))
            }
        }
        #expect(text.contains("--start-delay 2s"))
        #expect(text.contains("  35s control plane: start pod back-c1-9 (back on node c1-a-2, 127.0.0.1:"))
        #expect(text.contains("  36s control plane: back-c1-9 joins the endpoints"))
        // Actions come in time order.
        let times = lines.compactMap { line -> Double? in
            guard line.hasPrefix("  "), !line.hasPrefix("    "), let word = line.split(separator: " ").first, word.hasSuffix("s") else { return nil }
            return TimeSpan(parsing: String(word))?.seconds
        }
        #expect(times == times.sorted() && times.count == 8, "\(times)")
    }

    @Test func refusesWhatTheLabCannotDo() throws {
        let plan = try LabFixtures.plan(Self.plan)
        #expect(throws: LabError.self, "ports past 65535") { try LabDryRun.actions(plan: plan, changes: [], directory: "/tmp/dry/lab", options: LabOptions(basePort: 65530)) }
    }

    /// A partition of zone a from zone b while b's nodes crash: each pod on either side is told its
    /// list and read back, the restarted pods start with it, and the revert tells them again.
    @Test func namesEachPodsCutOffCalls() throws {
        let plan = try LabFixtures.plan(Self.plan.replacingOccurrences(of: "- {at: 5s, fault: node-hang, node: c1-a-1, for: 10s}", with: "- {at: 25s, fault: partition, between: [r1/c1/a, r1/c1/b], for: 20s}"))
        let layout = try LabLayout(plan: plan)
        let text = try LabDryRun.actions(plan: plan, changes: [], directory: "/tmp/dry/lab", options: LabOptions(quakeExecutable: "/usr/bin/quake")).joined(separator: "\n")
        // front calls back from both zones, so each zone has an Envoy: a's (127.1.0.1) and b's
        // (127.1.0.2). Each pod is cut off from the other zone's.
        #expect(layout.envoys.map(\.locality.zone) == ["a", "b"] && layout.envoys.map(\.sourceAddress) == ["127.1.0.1", "127.1.0.2"])
        for pod in layout.pods {
            let other = pod.locality.zone == "a" ? "127.1.0.2" : "127.1.0.1"
            #expect(text.contains("    POST http://127.0.0.1:\(pod.port)/control/cut-off?peers=\(other) (\(pod.name))\n    GET http://127.0.0.1:\(pod.port)/control/cut-off (confirms the list)"), "\(pod.name)")
            #expect(text.contains("POST http://127.0.0.1:\(pod.port)/control/cut-off?peers= (\(pod.name))"), "\(pod.name) is told at the revert")
        }
        // b's pods, restarted at 40 s after the zone's outage, start cut off from a's Envoy.
        for pod in layout.pods where pod.locality.zone == "b" {
            #expect(text.split(separator: "\n").contains { $0.contains("restart pod \(pod.name),") && $0.contains("--cut-off 127.1.0.1") }, "\(pod.name)")
        }
        #expect(text.contains("  45s revert partition r1/c1/a | r1/c1/b:\n    POST"))
        #expect(text.contains("tell every pod that listens to cut off no peer"))
    }

    @Test func quotesWordsAShellWouldSplit() {
        #expect(LabDryRun.shell(["envoy", "-c", "a b", "it's", ""]) == "envoy -c 'a b' 'it'\\''s' ''")
    }
}
