import Foundation
import Testing

/// A node that crashes and comes back before its grace period runs out, on the lab against the
/// model: the kubelet restarts its pods, which serve again only after their startupTime, while the
/// control plane takes their endpoints out of Envoy and puts them back once they are ready.
@Suite(.serialized) struct LabCrashParityTests {
    /// At time scale 0.1 the grace period is 5 s, so a 3 s crash is never noticed by the node
    /// lifecycle controller; the pods' startupTime is 3 s and the endpoint push 0.15 s. The crashed
    /// node c1-a-1 holds backend-c1-0 and backend-c1-2.
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: lab-crash-parity}
        target: {lab: {basePort: 25500}}
        topology:
          regions:
            r1:
              c1: {zones: {a: 2}}
        services:
          backend: {replicas: 4, serviceTime: 1ms}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: backend}
              spec:
                hosts: [backend]
                http:
                  - route: [{destination: {host: backend}}]
                    retries: {attempts: 2, retryOn: "5xx,connect-failure,reset"}
        traffic:
          - {from: r1/c1/a, to: backend, rate: 200/s}
        slos:
          - name: available
            sli: successRatio(backend)
            objective: ">= 95%"
        schedule:
          duration: 25s
          faults:
            - {at: 10s, fault: node-crash, node: c1-a-1, for: 3s}
        """

    /// The lab's backend pods now, by name (`quake pod --port P --pod NAME`, P from the plan's base
    /// port): those whose process runs, and those of them listening on their port.
    static func livePods() -> (running: Set<String>, listening: Set<String>) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var running: Set<String> = [], listening: Set<String> = []
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.dropFirst().first == "pod",
                  let port = arguments.firstIndex(of: "--port").flatMap({ arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }),
                  (25_500..<25_600) ~= port,
                  let name = arguments.firstIndex(of: "--pod").flatMap({ arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil })
            else { continue }
            running.insert(name)
            if accepts(port: port) { listening.insert(name) }
        }
        return (running, listening)
    }

    /// Whether something listens on 127.0.0.1:`port`: a TCP connection is accepted (on loopback
    /// the answer is immediate), then closed. /proc/net/tcp is no use here: the kernel hands it
    /// out in chunks and skips listeners while the other tests' servers come and go.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Samples the live pods every 100 ms, with the time of each sample, until cancelled.
    static func watch() async -> [(at: ContinuousClock.Instant, pods: Set<String>, listening: Set<String>)] {
        var samples: [(at: ContinuousClock.Instant, pods: Set<String>, listening: Set<String>)] = []
        while !Task.isCancelled {
            let live = livePods()
            samples.append((ContinuousClock.now, live.running, live.listening))
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
        }
        return samples
    }

    /// The lines of a run's report.md that give its verdict and each SLO's, for a failure message.
    static func verdictLines(_ folder: URL) -> String {
        guard let report = try? String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8) else { return "\nno report.md" }
        return report.split(separator: "\n").filter { $0.hasPrefix("# ") || $0.hasPrefix("> ") || $0.hasPrefix("| ") && $0.contains("**") }.map { "\n" + $0 }.joined()
    }

    static func record(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json"))) as? [String: Any])
    }

    /// Failed requests of backend in windows `range` (1 s each).
    static func failed(_ record: [String: Any], _ range: Range<Int>) throws -> Int {
        let timeline = try #require(record["timeline"] as? [String: Any])
        let service = try #require((timeline["services"] as? [[String: Any]])?.first { $0["service"] as? String == "backend" })
        let requests = try #require(service["requests"] as? [Int]), successes = try #require(service["successes"] as? [Int])
        return range.reduce(0) { $0 + requests[$1] - successes[$1] }
    }

    static func events(_ record: [String: Any], _ kind: String) throws -> [[String: Any]] {
        try #require((record["timeline"] as? [String: Any])?["events"] as? [[String: Any]]).filter { $0["kind"] as? String == kind }
    }

    @Test(.timeLimit(.minutes(3)))
    func restartedPodsServeAfterTheirStartupTimeAndFailuresStopWhenTheirEndpointsLeave() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let planFile = dir.appendingPathComponent("crash.yaml"), scaledPlan = dir.appendingPathComponent("crash-model.yaml")
        try Self.plan.write(to: planFile, atomically: true, encoding: .utf8)
        // The model's prediction on the lab's clock: the same plan with its control plane and
        // start-up times multiplied by 0.1, as `--time-scale 0.1` does.
        try Self.plan.replacingOccurrences(of: "serviceTime: 1ms}", with: "serviceTime: 1ms, startupTime: 3s}")
            .replacingOccurrences(of: "slos:", with: "controlPlane: {timings: {nodeLeaseRenewInterval: 1s, nodeMonitorPeriod: 0.5s, nodeMonitorGracePeriod: 5s, endpointSliceDelay: 0.1s, istiodPushDelay: 0.05s}}\nslos:")
            .write(to: scaledPlan, atomically: true, encoding: .utf8)
        let lab = dir.appendingPathComponent("lab"), model = dir.appendingPathComponent("model")

        let (run, samples) = try await LabRunWatch.run(["run", planFile.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.1", "--quiet", "--out", lab.path], watching: Self.watch)
        #expect(run.status == 0, "retries keep backend available: \(run.stdout)\(run.stderr)\(Self.verdictLines(lab))")
        #expect(LabRunTests.processes(mentioning: lab.path).isEmpty, "no pod, Envoy or Prometheus of the run is left")
        let modelRun = try await QuakeBinary.runOffPool(["run", scaledPlan.path, "--quiet", "--out", model.path])
        #expect(modelRun.status == 0, "\(modelRun.stderr)")

        // The crashed node's pods: killed at the crash, started again at the revert 3 s later (the
        // kubelet restarts them), listening 3 s (their startupTime) after that, when the control
        // plane reports them ready.
        let crashed: Set<String> = ["backend-c1-0", "backend-c1-2"]
        let gone = try #require(samples.firstIndex { !$0.pods.isEmpty && $0.pods.isDisjoint(with: crashed) }, "the crashed pods never died")
        let back = try #require(samples[gone...].firstIndex { crashed.isSubset(of: $0.pods) }, "the crashed pods never ran again")
        let serving = try #require(samples[gone...].firstIndex { crashed.isSubset(of: $0.listening) }, "the crashed pods never listened again")
        // The sampler runs on the test pool, which a busy run can starve for seconds: the pods were
        // away for at least the time between the samples that saw them gone and back, and at most
        // the time between the samples around those.
        func away(until index: Int) -> (atLeast: Duration, atMost: Duration) {
            (samples[gone].at.duration(to: samples[index - 1].at), samples[max(0, gone - 1)].at.duration(to: samples[index].at))
        }
        let (ranAgainAtLeast, ranAgainAtMost) = away(until: back), (listenedAtLeast, listenedAtMost) = away(until: serving)
        #expect(ranAgainAtMost >= .milliseconds(2_500) && ranAgainAtLeast <= .milliseconds(5_000), "the crashed pods ran again after \(ranAgainAtLeast) to \(ranAgainAtMost)")
        #expect(listenedAtMost >= .milliseconds(5_500) && listenedAtLeast <= .milliseconds(8_500), "the crashed pods listened again after \(listenedAtLeast) to \(listenedAtMost)")
        let meanwhile = samples[gone...serving], others: Set<String> = ["backend-c1-1", "backend-c1-3"]
        #expect(meanwhile.allSatisfy { $0.pods.isSuperset(of: others) && $0.listening.isSuperset(of: others) }, "the other node's pods served meanwhile")

        // The control plane: no NotReady (the crash is shorter than the grace period); the
        // restarting pods leave the endpoints 0.15 s after the revert and return once ready.
        let record = try Self.record(lab), predicted = try Self.record(model)
        // Retries may hide the crash from every request; Envoy's own count of the refused
        // connections to backend still shows it, and verifies the fault.
        let counted = try Self.events(record, "fault-counted").filter { $0["subject"] as? String == "node-crash c1-a-1" }
        #expect(counted.count == 1 && (counted.first?["detail"] as? String)?.contains("failed connections or timeouts to backend") == true, "\(counted)")
        for r in [record, predicted] {
            #expect(try Self.events(r, "node-not-ready").isEmpty)
            let dropped = try Self.events(r, "endpoints-dropped"), added = try Self.events(r, "endpoints-added")
            #expect(Set(dropped.compactMap { $0["subject"] as? String }) == crashed && dropped.allSatisfy { abs(($0["at"] as? Double ?? 0) - 13.15) < 0.01 }, "\(dropped)")
            #expect(Set(added.compactMap { $0["subject"] as? String }) == crashed && added.allSatisfy { abs(($0["at"] as? Double ?? 0) - 16.15) < 0.01 }, "\(added)")
        }

        // Traffic, as a user reads it: none fails before the crash; retries leave a few failures
        // while two of four hosts refuse connections (the crash, then until their endpoints leave);
        // hardly any once they are out of Envoy or back. (The lab's pods listen 0.15 s before
        // their endpoints return; a starved machine can delay that.)
        for (target, r) in [("lab", record), ("model", predicted)] {
            #expect(try Self.failed(r, 0..<10) == 0, "\(target): failures before the crash")
            let during = try Self.failed(r, 10..<14)
            #expect(during < 50, "\(target): \(during) of about 800 requests failed from the crash until the endpoints left")
            let after = try Self.failed(r, 14..<25), byWindow = try (10..<25).map { try Self.failed(r, $0..<($0 + 1)) }
            #expect(after <= (target == "lab" ? 3 : 0), "\(target): \(after) failures after the endpoints left; windows 10-24: \(byWindow); warnings: \(r["warnings"] ?? [])")
        }
    }
}
