import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A whole cluster lost, and Karmada moving its replicas to the other one, end to end on the lab:
/// `quake run --target lab` on real pods, a real Envoy and a real Prometheus, against the model's
/// prediction for the same plan.
@Suite(.serialized) struct LabClusterOutageTests {
    /// Every replica of backend runs in c1 (Karmada's Aggregated division puts them in the biggest
    /// cluster); the clients are in c2. Karmada 1.13 with the Failover gate taints the lost c1
    /// NoExecute 2 min after Ready=False and evicts 60 s later (the webhook's toleration), so the
    /// replicas move to c2 about 3.5 min after the failure: 10.5 s at the lab's time scale 0.05.
    ///
    /// `scale` is 1 for the lab, which compresses the control plane itself (`--time-scale`), and the
    /// lab's time scale for the model's prediction: every timing a cluster outage goes through
    /// (Karmada's probes and thresholds, taint and toleration, graceful eviction, endpoint pushes),
    /// the pods' start-up and Envoy's outlier-detection times, multiplied as the lab multiplies them.
    static func plan(scale: Double) -> String {
        func d(_ seconds: Double) -> String { String(format: "%gs", seconds * scale) }
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: lab-cluster-outage}
            target: {lab: {basePort: 25000}}
            topology:
              regions:
                r1:
                  c1: {zones: {a: 3}}
                  c2: {zones: {b: 2}}
            services:
              backend: {replicas: 4, serviceTime: 2ms, startupTime: \(d(30))}
            placement:
              - inline:
                  apiVersion: policy.karmada.io/v1alpha1
                  kind: PropagationPolicy
                  metadata: {name: backend}
                  spec:
                    resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: backend}]
                    placement:
                      clusterAffinity: {clusterNames: [c1, c2]}
                      replicaScheduling: {replicaSchedulingType: Divided, replicaDivisionPreference: Aggregated}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: backend}
                  spec:
                    host: backend
                    trafficPolicy:
                      loadBalancer:
                        localityLbSetting: {enabled: true}
                      outlierDetection: {consecutive5xxErrors: 3, interval: \(d(1)), baseEjectionTime: \(d(30)), maxEjectionPercent: 100}
            controlPlane:
              karmada: "1.13"
              karmadaFeatures: {failover: true}
              timings:
                clusterStatusUpdateFrequency: \(d(10))
                clusterFailureThreshold: \(d(30))
                clusterSuccessThreshold: \(d(30))
                failoverEvictionTimeout: \(d(120))
                karmadaDefaultTolerationSeconds: \(d(60))
                gracefulEvictionTimeout: \(d(600))
                resourceEvictionRate: \(String(format: "%g/s", 0.5 / scale))
                endpointSliceDelay: \(d(1))
                istiodPushDelay: \(d(0.5))
            traffic:
              - {from: r1/c2/b, to: backend, rate: 100/s}
            slos:
              - name: available
                sli: successRatio(backend)
                objective: ">= 99%"
              - name: recovers
                sli: timeToRecover(backend)
                objective: "<= 30s"
              - name: migrated
                sli: replicasReady(backend)
                objective: ">= 4 within 20s"
            schedule:
              duration: 40s
              faults:
                - {at: 5s, fault: cluster-outage, cluster: c1, for: 25s}
            """
    }

    /// What the test saw of the lab at one instant while the run lasted.
    struct Sample {
        /// The lab's live pod processes, by pod name, with their ports.
        var pods: [String: Int]
        /// The ports of backend's hosts in the client Envoy (admin `/clusters`); nil while it does not answer.
        var hosts: Set<Int>?
    }

    /// The lab's pod processes alive now (`quake pod --port P --pod NAME`, P from the plan's base
    /// port), by name, with their ports.
    static func livePods() -> [String: Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var pods: [String: Int] = [:]
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.dropFirst().first == "pod",
                  let port = arguments.firstIndex(of: "--port").flatMap({ arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }),
                  (25_000..<25_100) ~= port,
                  let name = arguments.firstIndex(of: "--pod").flatMap({ arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil })
            else { continue }
            pods[name] = port
        }
        return pods
    }

    /// The ports of backend's hosts in the client Envoy now, from its admin `/clusters` (the lab's
    /// layout: Prometheus on the base port, then the Envoy's listener and admin ports).
    static func envoyHosts() async -> Set<Int>? {
        guard let url = URL(string: "http://127.0.0.1:25002/clusters") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, _) = try? await URLSession.shared.data(for: request) else { return nil }
        let prefix = "outbound|8080||backend.default.svc.cluster.local::127.0.0.1:"
        var ports: Set<Int> = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) && line.contains("::health_flags::") {
            if let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) { ports.insert(port) }
        }
        return ports
    }

    /// Samples the lab every 250 ms until cancelled.
    static func watch() async -> [Sample] {
        var samples: [Sample] = []
        while !Task.isCancelled {
            samples.append(Sample(pods: livePods(), hosts: await envoyHosts()))
            do { try await Task.sleep(for: .milliseconds(250)) } catch { break }
        }
        return samples
    }

    static func record(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json"))) as? [String: Any])
    }

    /// The ready replicas of backend in `cluster`, one entry per window.
    static func replicas(_ record: [String: Any], cluster: String) throws -> [Int] {
        let series = try #require((record["timeline"] as? [String: Any])?["replicas"] as? [[String: Any]])
        return try #require(series.first { $0["service"] as? String == "backend" && $0["cluster"] as? String == cluster }?["ready"] as? [Int])
    }

    static func events(_ record: [String: Any], _ kind: String) throws -> [[String: Any]] {
        try #require((record["timeline"] as? [String: Any])?["events"] as? [[String: Any]]).filter { $0["kind"] as? String == kind }
    }

    static func slo(_ record: [String: Any], _ name: String) throws -> [String: Any] {
        try #require((record["slos"] as? [[String: Any]])?.first { $0["name"] as? String == name })
    }

    @Test(.timeLimit(.minutes(3)))
    func clusterOutageMovesTheReplicasToTheOtherClusterAndTrafficRecovers() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let labPlan = dir.appendingPathComponent("cluster.yaml"), modelPlan = dir.appendingPathComponent("cluster-model.yaml")
        try Self.plan(scale: 1).write(to: labPlan, atomically: true, encoding: .utf8)
        try Self.plan(scale: 0.05).write(to: modelPlan, atomically: true, encoding: .utf8)
        let lab = dir.appendingPathComponent("lab"), model = dir.appendingPathComponent("model")

        let (run, samples) = try await LabRunWatch.run(["run", labPlan.path, "--target", "lab", "--allow-target", "lab", "--time-scale", "0.05", "--quiet", "--out", lab.path], watching: Self.watch)
        #expect(run.status == 1, "the availability SLO fails: nothing serves until the replicas move: \(run.stderr)")
        #expect(LabRunTests.processes(mentioning: lab.path).isEmpty, "no pod, Envoy or Prometheus of the run is left")
        let modelRun = try await QuakeBinary.runOffPool(["run", modelPlan.path, "--quiet", "--out", model.path])
        #expect(modelRun.status == 1, "\(modelRun.stderr)")

        // Karmada's decisions, replayed: the binding leaves c1, four pods are created in c2.
        let record = try Self.record(lab)
        let evicted = try Self.events(record, "binding-evicted")
        #expect(evicted.count == 1 && evicted.allSatisfy { (14...17) ~= ($0["at"] as? Double ?? 0) && $0["detail"] as? String == "4 replicas leave c1" }, "\(evicted)")
        let created = try Self.events(record, "pod-created").compactMap { $0["subject"] as? String }
        #expect(created.count == 4 && created.allSatisfy { $0.hasPrefix("backend-c2-") }, "pods created: \(created)")

        // Ready replicas: 4 in c1 until its old copy is removed, then 4 in c2.
        let c1 = try Self.replicas(record, cluster: "c1"), c2 = try Self.replicas(record, cluster: "c2")
        #expect(c1.first == 4 && c1.last == 0 && c2.first == 0 && c2.last == 4, "c1 \(c1), c2 \(c2)")
        let moved = try #require(c2.firstIndex(of: 4), "c2 never ran 4 replicas: \(c2)")
        #expect((15...18) ~= moved && c1[moved...].allSatisfy { $0 == 0 }, "c1 \(c1), c2 \(c2)")

        // The processes: c1's pods die with the cluster and are not started again, not even when it
        // returns (their Deployment's copy was deleted meanwhile); the pods created in c2 run.
        let c1Pods = Set(samples.flatMap(\.pods.keys).filter { $0.hasPrefix("backend-c1-") })
        #expect(c1Pods.count == 4 && samples.contains { Set($0.pods.keys) == c1Pods }, "c1's 4 pods ran first: \(c1Pods)")
        let firstNew = try #require(samples.firstIndex { !$0.pods.keys.filter { created.contains($0) }.isEmpty }, "no created pod ever ran")
        #expect(samples[firstNew...].allSatisfy { $0.pods.keys.allSatisfy { !c1Pods.contains($0) } }, "a c1 pod ran again after the new pods started")
        #expect(samples.contains { Set(created).isSubset(of: $0.pods.keys) }, "every created pod ran")
        var ports: [String: Int] = [:]
        for sample in samples { ports.merge(sample.pods) { a, _ in a } }
        let c1Ports = Set(c1Pods.compactMap { ports[$0] }), c2Ports = Set(created.compactMap { ports[$0] })

        // The client Envoy: c2's new pods are published to it while c1's dead pods stay (istiod keeps
        // a lost cluster's endpoints), and once c1 is back its deleted pods leave.
        let both = samples.firstIndex { $0.hosts == c1Ports.union(c2Ports) }
        #expect(both != nil, "the Envoy never held c1's stale and c2's new hosts together: \(Set(samples.compactMap(\.hosts)))")
        #expect(samples[(both ?? samples.endIndex)...].contains { $0.hosts == c2Ports }, "c1's hosts never left the Envoy: \(Set(samples.compactMap(\.hosts)))")

        // Traffic: nothing serves while every replica is in the lost cluster; after the migration
        // every request succeeds, served by c2's new pods.
        let timeline = try #require(record["timeline"] as? [String: Any])
        let service = try #require((timeline["services"] as? [[String: Any]])?.first { $0["service"] as? String == "backend" })
        let requests = try #require(service["requests"] as? [Int]), successes = try #require(service["successes"] as? [Int])
        let ratio = { (windows: Range<Int>) in Double(windows.reduce(0) { $0 + successes[$1] }) / Double(max(1, windows.reduce(0) { $0 + requests[$1] })) }
        #expect(ratio(0..<5) >= 0.99 && ratio(6..<15) <= 0.05 && ratio(22..<40) >= 0.99,
                "success before, during and after the migration: \(ratio(0..<5)), \(ratio(6..<15)), \(ratio(22..<40))")
        let clusters = try #require(timeline["clusters"] as? [[String: Any]])
        let servedBy = { (cluster: String) in clusters.first { $0["service"] as? String == "backend" && $0["cluster"] as? String == cluster }?["successes"] as? [Int] ?? [] }
        let afterwards = (22..<40).reduce(0) { $0 + requests[$1] }, byC2 = servedBy("c2").dropFirst(22).reduce(0, +)
        #expect(servedBy("c1").dropFirst(6).allSatisfy { $0 == 0 } && Double(byC2) >= 0.99 * Double(afterwards),
                "c1 served \(servedBy("c1")), c2 \(servedBy("c2"))")
        let log = try String(contentsOf: lab.appendingPathComponent("lab/envoy-c2-b/access.log"), encoding: .utf8)
        let lines = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let hosts = { (line: [String: Any]) in (line["upstream_host"] as? String).flatMap { Int($0.split(separator: ":").last ?? "") } }
        let lastSeconds = lines.suffix(1_500)
        #expect(Set(lastSeconds.compactMap(hosts)) == c2Ports && lastSeconds.allSatisfy { $0["code"] as? Int == 200 },
                "the last 15 s were served by c2's new pods \(c2Ports.sorted()): \(Set(lastSeconds.compactMap(hosts)).sorted())")
        #expect(Set(lines.prefix(300).compactMap(hosts)).isSubset(of: c1Ports), "the first 3 s were served by c1's pods")

        // The verdict names the migration; the recovery and the replicas' move pass.
        let report = try String(contentsOf: lab.appendingPathComponent("report.md"), encoding: .utf8)
        for text in ["Karmada evicted backend-deployment: 4 replicas leave c1", "replicas of backend: c2 0→4", "replicas of backend: c1 4→0"] {
            #expect(report.contains(text), "report.md lacks '\(text)'")
        }
        let findings = record["findings"] as? [String] ?? []
        #expect(findings.contains { $0.hasPrefix("Karmada moved the first workload 10.5s after the first fault") }, "\(findings)")
        #expect(try Self.slo(record, "recovers")["verdict"] as? String == "pass" && Self.slo(record, "migrated")["verdict"] as? String == "pass")

        // The model predicts the same run: the same migration, recovery and availability.
        let predicted = try Self.record(model)
        #expect(try Self.replicas(predicted, cluster: "c2").last == 4 && Self.replicas(predicted, cluster: "c1").last == 0)
        let metrics = try #require(record["metrics"] as? [String: Any]), modelMetrics = try #require(predicted["metrics"] as? [String: Any])
        let recovered = try #require(metrics["timeToRecoverSeconds"] as? Double), predictedRecovery = try #require(modelMetrics["timeToRecoverSeconds"] as? Double)
        #expect(abs(recovered - predictedRecovery) <= 3 && (11...16) ~= recovered, "time to recover: \(recovered) s on the lab, \(predictedRecovery) s on the model")
        let available = try #require(Self.slo(record, "available")["value"] as? Double), predictedAvailable = try #require(Self.slo(predicted, "available")["value"] as? Double)
        #expect(abs(available - predictedAvailable) <= 5, "availability: \(available) % on the lab, \(predictedAvailable) % on the model")
    }
}
