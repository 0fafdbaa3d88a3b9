import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The cluster canary upgrade end to end on the lab: `quake run --target lab` with a procedure on
/// real pods, a real Envoy and a real Prometheus, against the model's verdict for the same plan;
/// and a run stopped half-way through a procedure, which puts the route's weights back.
@Suite(.serialized) struct LabProcedureTests {
    /// backend runs two replicas in each cluster, its route split 50/50 over per-cluster subsets;
    /// the clients are in c1. `scale` is 1 for the lab (which compresses the control plane itself,
    /// `--time-scale 0.05`) and 0.05 for the model's prediction, as in ``LabClusterOutageTests``.
    static func plan(name: String, basePort: Int, scale: Double, slos: String, schedule: String) -> String {
        func d(_ seconds: Double) -> String { String(format: "%gs", seconds * scale) }
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: \(name)}
            target: {lab: {basePort: \(basePort)}}
            topology:
              regions:
                r1:
                  c1: {zones: {a: 2}}
                  c2: {zones: {b: 2}}
            services:
              backend: {replicas: 4, serviceTime: 2ms, startupTime: \(d(10))}
            placement:
              - inline:
                  apiVersion: policy.karmada.io/v1alpha1
                  kind: PropagationPolicy
                  metadata: {name: backend}
                  spec:
                    resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: backend}]
                    placement:
                      clusterAffinity: {clusterNames: [c1, c2]}
                      replicaScheduling:
                        replicaSchedulingType: Divided
                        replicaDivisionPreference: Weighted
                        weightPreference:
                          staticWeightList:
                            - {targetCluster: {clusterNames: [c1]}, weight: 1}
                            - {targetCluster: {clusterNames: [c2]}, weight: 1}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: backend}
                  spec:
                    host: backend
                    subsets:
                      - {name: c1, labels: {topology.istio.io/cluster: c1}}
                      - {name: c2, labels: {topology.istio.io/cluster: c2}}
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: VirtualService
                  metadata: {name: backend}
                  spec:
                    hosts: [backend]
                    http:
                      - route:
                          - {destination: {host: backend, subset: c1}, weight: 50}
                          - {destination: {host: backend, subset: c2}, weight: 50}
            controlPlane:
              karmada: "1.13"
              karmadaFeatures: {failover: true}
              timings:
                clusterStatusUpdateFrequency: \(d(10))
                clusterFailureThreshold: \(d(30))
                clusterSuccessThreshold: \(d(30))
                gracefulEvictionTimeout: \(d(600))
                resourceEvictionRate: \(String(format: "%g/s", 0.5 / scale))
                endpointSliceDelay: \(d(1))
                istiodPushDelay: \(d(0.5))
            traffic:
              - {from: r1/c1/a, to: backend, rate: 100/s}
            \(slos)
            \(schedule)
            """
    }

    /// The canary of c2: traffic shifted away, workloads migrated, the cluster upgraded for 5 s and
    /// checked, workloads and traffic brought back.
    static func canary(scale: Double) -> String {
        plan(name: "lab-canary", basePort: 28000, scale: scale, slos: """
            slos:
              - name: available
                sli: successRatio(backend)
                objective: ">= 99%"
            """, schedule: """
            schedule:
              duration: 34s
              procedures:
                - name: canary of c2
                  at: 4s
                  steps:
                    - {step: shift-traffic, service: backend, cluster: c2, weight: 0%, wait: 3s}
                    - {step: migrate-workloads, cluster: c2, wait: 2s}
                    - {step: upgrade, cluster: c2, takes: 5s}
                    - {step: check, cluster: c2, timeout: 10s}
                    - {step: restore-workloads, cluster: c2, wait: 4s}
                    - {step: restore-traffic, service: backend, cluster: c2}
            """)
    }

    /// What the test saw of the lab at one instant.
    struct Sample: Sendable {
        /// The lab's live pod processes, by pod name, with their ports.
        var pods: [String: Int]
        /// backend's weight keys in the client Envoy's runtime; nil while it does not answer.
        var weights: [String: String]?
    }

    /// The live `quake pod` processes on ports from `basePort`, by pod name, with their ports.
    static func livePods(basePort: Int) -> [String: Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var pods: [String: Int] = [:]
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.dropFirst().first == "pod",
                  let port = arguments.firstIndex(of: "--port").flatMap({ arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }),
                  (basePort..<(basePort + 100)) ~= port,
                  let name = arguments.firstIndex(of: "--pod").flatMap({ arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil })
            else { continue }
            pods[name] = port
        }
        return pods
    }

    /// backend's route weight keys in the client Envoy's runtime (admin port: base + 2).
    static func weights(basePort: Int) async -> [String: String]? {
        guard let url = URL(string: "http://127.0.0.1:\(basePort + 2)/runtime") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, _) = try? await URLSession.shared.data(for: request),
              let entries = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["entries"] as? [String: Any] else { return nil }
        var weights: [String: String] = [:]
        for (key, entry) in entries where key.hasPrefix("quake.route.backend.") {
            weights[key] = (entry as? [String: Any])?["final_value"] as? String
        }
        return weights
    }

    /// Samples the lab every 200 ms until cancelled.
    static func watch(basePort: Int) -> @Sendable () async -> [Sample] {
        {
            var samples: [Sample] = []
            while !Task.isCancelled {
                samples.append(Sample(pods: livePods(basePort: basePort), weights: await weights(basePort: basePort)))
                do { try await Task.sleep(for: .milliseconds(200)) } catch { break }
            }
            return samples
        }
    }

    static func record(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json"))) as? [String: Any])
    }

    static func events(_ record: [String: Any]) throws -> [(at: Double, kind: String, subject: String, detail: String)] {
        try #require((record["timeline"] as? [String: Any])?["events"] as? [[String: Any]]).map {
            ($0["at"] as? Double ?? -1, $0["kind"] as? String ?? "", $0["subject"] as? String ?? "", $0["detail"] as? String ?? "")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func theCanaryUpgradeOfC2RunsOnTheLabAsTheModelPredicts() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let labPlan = dir.appendingPathComponent("canary.yaml"), modelPlan = dir.appendingPathComponent("canary-model.yaml")
        try Self.canary(scale: 1).write(to: labPlan, atomically: true, encoding: .utf8)
        try Self.canary(scale: 0.05).write(to: modelPlan, atomically: true, encoding: .utf8)
        let lab = dir.appendingPathComponent("lab"), model = dir.appendingPathComponent("model")

        let began = ContinuousClock.now
        let (run, samples) = try await LabRunWatch.run(["run", labPlan.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.05", "--quiet", "--out", lab.path],
                                                       watching: Self.watch(basePort: 28000))
        let took = began.duration(to: .now)
        #expect(LabRunTests.processes(mentioning: lab.path).isEmpty, "no pod, Envoy or Prometheus of the run is left")
        let modelRun = try await QuakeBinary.runOffPool(["run", modelPlan.path, "--quiet", "--out", model.path])
        #expect(run.status == modelRun.status, "the lab's verdict (exit \(run.status)) is the model's (exit \(modelRun.status)): \(run.stderr)")
        #expect(run.status == 0, "users do not notice the canary: \(run.stderr)")
        #expect(took < .seconds(60), "the run took \(took)")

        // Every step is in the timeline, in order, with the lab's confirmations.
        let record = try Self.record(lab)
        let events = try Self.events(record)
        let steps = events.filter { $0.kind == "procedure-step" && $0.subject == "canary of c2" }
        for (i, kind) in ["shift-traffic", "migrate-workloads", "upgrade", "check", "restore-workloads", "restore-traffic"].enumerated() {
            #expect(steps.contains { $0.detail.hasPrefix("step \(i + 1)/6: \(kind)") }, "step \(i + 1) (\(kind)) is in the timeline: \(steps.map(\.detail))")
        }
        for text in ["the workloads left c2", "upgrade of c2 finished", "check passed: c2"] {
            #expect(steps.contains { $0.detail.hasPrefix(text) }, "'\(text)' is in the timeline: \(steps.map(\.detail))")
        }
        func at(_ prefix: String) throws -> Double { try #require(steps.first { $0.detail.hasPrefix(prefix) }?.at, "no '\(prefix)' event") }
        let shifted = try at("step 1/6"), upgraded = try at("step 3/6"), upgradeDone = try at("upgrade of c2 finished")
        let workloadsBack = try at("step 5/6"), restored = try at("step 6/6")
        #expect(abs(upgradeDone - upgraded - 5) < 0.5, "the upgrade holds c2 for its 5 s: \(upgraded)–\(upgradeDone)")

        // The Envoy's weights: c2's key at 0 while shifted, gone after the restore.
        let c2Key = "quake.route.backend.outbound|8080|c2|backend.default.svc.cluster.local"
        #expect(samples.contains { $0.weights?[c2Key] == "0" }, "the runtime showed c2's weight at 0")
        #expect(samples.contains { $0.weights != nil } && samples.last { $0.weights != nil }?.weights?.isEmpty == true, "the keys were cleared at the end")

        // The pods: c2's first pods run, none of c2 runs through the upgrade, new ones run after.
        let c2Pods = { (sample: Sample) in Set(sample.pods.keys.filter { $0.hasPrefix("backend-c2-") }) }
        let up = try #require(samples.firstIndex { $0.pods.count >= 4 }, "the lab's pods never ran")
        let first = c2Pods(samples[up])
        #expect(first.count == 2, "c2 ran two pods at first: \(first)")
        let gone = try #require(samples[up...].firstIndex { c2Pods($0).isEmpty && $0.pods.count >= 4 }, "a time came when no pod of c2 ran (migrated away, then upgraded)")
        let later = samples[gone...].map(c2Pods).last { !$0.isEmpty } ?? []
        #expect(!later.isEmpty && later.isDisjoint(with: first), "c2 runs new pods after the workloads came back: \(later)")

        // Traffic (the run record's per-cluster series, 1 s windows): no request reaches c2's pods
        // while it is shifted away; they serve again after restore-traffic.
        let timeline = try #require(record["timeline"] as? [String: Any])
        let clusters = try #require(timeline["clusters"] as? [[String: Any]])
        let c2 = try #require(clusters.first { $0["service"] as? String == "backend" && $0["cluster"] as? String == "c2" })
        let c2Served = try #require(c2["successes"] as? [Int])
        let whileShifted = (Int(shifted.rounded(.up)) + 1)..<Int(restored.rounded(.down))
        #expect(whileShifted.count >= 10 && whileShifted.allSatisfy { c2Served[$0] == 0 }, "c2's successes per window \(c2Served), shifted over \(whileShifted)")
        #expect(c2Served[0..<Int(shifted)].reduce(0, +) > 100, "c2 served before the shift: \(c2Served)")
        #expect(c2Served[(Int(restored.rounded(.up)) + 1)...].reduce(0, +) > 100, "c2 serves again after restore-traffic: \(c2Served)")
        #expect(workloadsBack < restored && upgradeDone <= workloadsBack + 0.5)
    }

    /// c2 shifted to 0 %, then c1 upgraded: every request goes to c1's dead pods, the stop
    /// condition ends the run, and the procedure is reverted half-way.
    static let stopped = plan(name: "lab-procedure-stop", basePort: 28500, scale: 1, slos: """
        slos:
          - name: available
            sli: successRatio(backend)
            objective: ">= 99%"
        stopConditions:
          - successRatio(backend) < 50% for 2s
        """, schedule: """
        schedule:
          duration: 30s
          procedures:
            - name: careless upgrade
              at: 3s
              steps:
                - {step: shift-traffic, service: backend, cluster: c2, weight: 0%, wait: 2s}
                - {step: upgrade, cluster: c1, takes: 20s}
                - {step: restore-traffic, service: backend, cluster: c2}
        """)

    @Test(.timeLimit(.minutes(3)))
    func aRunStoppedDuringAProcedurePutsTheWeightsBackAndEndsTheUpgrade() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let planFile = dir.appendingPathComponent("stop.yaml")
        try Self.stopped.write(to: planFile, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let (run, samples) = try await LabRunWatch.run(["run", planFile.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.05", "--quiet", "--out", out.path],
                                                       watching: Self.watch(basePort: 28500))
        #expect(run.status == 4, "a run stopped by its stop condition exits 4: \(run.stderr)")
        #expect(LabRunTests.processes(mentioning: out.path).isEmpty, "no pod, Envoy or Prometheus of the run is left")
        let record = try Self.record(out)
        #expect(record["verdict"] as? String == "aborted" && (record["abort"] as? [String: Any])?["cause"] as? String == "stop-condition", "\(record["abort"] ?? "no abort")")

        // The upgrade killed c1's pods; the revert started them again before the lab went down.
        let c1Pods = { (sample: Sample) in Set(sample.pods.keys.filter { $0.hasPrefix("backend-c1-") }) }
        let up = try #require(samples.firstIndex { $0.pods.count >= 4 }, "the lab's pods never ran")
        let first = c1Pods(samples[up])
        #expect(first.count == 2, "c1 ran two pods at first: \(first)")
        let down = try #require(samples[up...].firstIndex { c1Pods($0).isEmpty && $0.pods.count >= 2 }, "c1's pods were never killed")
        #expect(samples[down...].contains { c1Pods($0) == first }, "c1's pods ran again after the revert")

        // The Envoy's weight: c2's key at 0 while shifted, cleared by the revert (read while the
        // lab collects its last access-log lines, before it goes down).
        let c2Key = "quake.route.backend.outbound|8080|c2|backend.default.svc.cluster.local"
        let zero = try #require(samples.firstIndex { $0.weights?[c2Key] == "0" }, "the runtime never showed c2's weight at 0")
        #expect(samples[zero...].contains { $0.weights?.isEmpty == true }, "the revert cleared c2's weight key")
        let journal = try String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(journal.contains("procedure careless upgrade") && journal.contains("\"kind\":\"fault-reverted\""), "the procedure is journaled and reverted")
        let events = try Self.events(record)
        #expect(events.contains { $0.kind == "fault-reverted" && $0.subject == "careless upgrade" }, "the timeline shows the procedure reverted")
        #expect(!events.contains { $0.detail.hasPrefix("step 3/3") }, "the restore step never ran: the revert did its work")
    }
}
