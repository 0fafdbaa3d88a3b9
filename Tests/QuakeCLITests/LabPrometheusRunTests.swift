import Foundation
import Testing

/// `quake run --target lab` reading the lab Prometheus, end to end on real pods, Envoys and
/// Prometheus: the ejection and the membership changes of a node crash as Prometheus scraped them,
/// a PromQL SLI judged from it, and a Prometheus that stops answering for a while.
@Suite(.serialized) struct LabPrometheusRunTests {
    static func plan(name: String, basePort: Int, faults: String) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: \(name)}
        target: {lab: {basePort: \(basePort)}}
        topology:
          regions:
            r1:
              c1: {zones: {a: 2, b: 2}}
        services:
          backend: {replicas: 4, serviceTime: 2ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: backend}
              spec:
                host: backend
                trafficPolicy:
                  outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: backend}
              spec:
                hosts: [backend]
                http:
                  - route: [{destination: {host: backend}}]
                    retries: {attempts: 2, perTryTimeout: 500ms, retryOn: "5xx,connect-failure,reset"}
                    timeout: 2s
        traffic:
          - {from: r1/c1/a, to: backend, rate: 100/s}
        slos:
          - name: available
            sli: successRatio(backend)
            objective: ">= 95%"
          - name: healthy hosts
            sli: "promql(sum(envoy_cluster_endpoint_healthy{envoy='envoy-c1-a'}))"
            objective: ">= 1"
        schedule:
        \(faults)
        """
    }

    /// The run record and the report of a finished run.
    static func outputs(_ out: URL) throws -> (record: [String: Any], report: String) {
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any])
        return (record, try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8))
    }

    /// The events of a run record: time, kind, subject and detail.
    static func events(_ record: [String: Any]) throws -> [(at: Double, kind: String, subject: String, detail: String)] {
        let events = try #require((record["timeline"] as? [String: Any])?["events"] as? [[String: Any]])
        return events.map { ($0["at"] as? Double ?? -1, $0["kind"] as? String ?? "", $0["subject"] as? String ?? "", $0["detail"] as? String ?? "") }
    }

    static func sloValue(_ record: [String: Any], _ name: String) -> Double? {
        (record["slos"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"] as? Double
    }

    @Test(.timeLimit(.minutes(3)))
    func aNodeCrashShowsTheEjectionAndTheMembershipPrometheusScraped() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let planFile = dir.appendingPathComponent("crash.yaml")
        try Self.plan(name: "lab-prometheus-crash", basePort: 26000, faults: """
              duration: 30s
              faults:
                - {at: 5s, fault: node-crash, node: c1-a-1, for: 15s}
            """).write(to: planFile, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let result = try await QuakeBinary.runOffPool(["run", planFile.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.1", "--out", out.path])
        #expect(result.status == 0, "retries and outlier detection keep backend available: \(result.stderr)")
        #expect(LabRunTests.processes(mentioning: out.path).isEmpty, "no process of the run is left")
        let (record, report) = try Self.outputs(out)
        let events = try Self.events(record)

        // backend-c1-0 runs on c1-a-1: killed at 5 s, ejected after three refused connections, seen
        // at the next scrape (1 s); its endpoint is dropped about 5 s later, then back after the revert.
        let ejected = events.filter { $0.kind == "host-ejected" }
        let first = try #require(ejected.first, "\(events)")
        #expect(first.subject == "backend-c1-0" && first.detail == "by r1/c1/a's Envoy for backend (1 of 4 ejected)")
        #expect((5...8) ~= first.at, "ejected at \(first.at)")
        let membership = events.filter { $0.kind == "membership-changed" && $0.subject == "backend" }
        #expect(membership.first?.detail == "r1/c1/a's Envoy: 3 of 4 healthy (was 4 of 4)", "\(membership)")
        let dropped = try #require(membership.first { $0.detail.hasPrefix("r1/c1/a's Envoy: 3 of 3 healthy") }, "\(membership)")
        #expect((9...14) ~= dropped.at, "the endpoint left Envoy at \(dropped.at)")
        let back = try #require(membership.last, "\(membership)")
        #expect(back.detail.hasPrefix("r1/c1/a's Envoy: 4 of 4 healthy") && back.at > 20, "membership at the end: \(back)")

        #expect(report.contains("| host ejected: backend-c1-0 by r1/c1/a's Envoy for backend (1 of 4 ejected) |"), "\(report)")
        #expect(report.contains("members of backend: r1/c1/a's Envoy: 3 of 3 healthy (was 3 of 4)"))
        #expect(report.contains("members of backend: r1/c1/a's Envoy: 4 of 4 healthy"))
        // The PromQL SLI, from the same Prometheus: 4 healthy hosts but while backend-c1-0 was out.
        let healthy = try #require(Self.sloValue(record, "healthy hosts"))
        #expect(healthy > 3 && healthy < 4, "mean healthy hosts: \(healthy)")
        #expect((record["warnings"] as? [String]) == [])
    }

    @Test(.timeLimit(.minutes(3)))
    func aPrometheusThatStallsMidRunIsAWarningNotAFailedRun() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let planFile = dir.appendingPathComponent("stall.yaml")
        try Self.plan(name: "lab-prometheus-stall", basePort: 26200, faults: "  duration: 14s").write(to: planFile, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        async let run = QuakeBinary.runOffPool(["run", planFile.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.1", "--out", out.path])

        // Once traffic flows, Prometheus stops for 4 s (SIGSTOP): its queries time out, then it answers again.
        let log = out.appendingPathComponent("lab/envoy-c1-a/access.log").path
        var flowing = false
        for _ in 0..<600 where !flowing {
            try await Task.sleep(for: .milliseconds(100))
            flowing = ((try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0) > 0
        }
        let prometheus = LabRunTests.processes(mentioning: "--storage.tsdb.path=" + out.path)
        try #require(flowing && prometheus.count == 1, "the run started with its Prometheus: \(prometheus)")
        let pid = try #require(pid_t(prometheus[0]))
        try await Task.sleep(for: .seconds(3))
        kill(pid, SIGSTOP)
        try await Task.sleep(for: .seconds(4))
        kill(pid, SIGCONT)

        let result = try await run
        #expect(result.status == 0, "the run is scored from the access logs: \(result.stderr)")
        #expect(LabRunTests.processes(mentioning: out.path).isEmpty, "no process of the run is left")
        let (record, report) = try Self.outputs(out)
        let warnings = try #require(record["warnings"] as? [String])
        #expect(!warnings.isEmpty && warnings.allSatisfy { $0.hasPrefix("the lab Prometheus did not answer from ") && $0.contains("timeout") }, "\(warnings)")
        #expect(report.contains("## Warnings\n\n- the lab Prometheus did not answer from "))
        #expect(Self.sloValue(record, "healthy hosts") == 4, "what Prometheus scraped before and after the stall is read")
        let wall = try #require(record["wallSeconds"] as? Double)
        #expect(wall < 40, "a stalled Prometheus delays windows by at most 2 s each: \(wall) s")
    }
}
