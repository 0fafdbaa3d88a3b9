import Foundation
import QuakeLab
import Testing

/// The lab Prometheus scrapes every Envoy and every pod each second, with labels saying where they run.
@Suite struct PrometheusConfigTests {
    @Test func scrapesEveryEnvoyAndReadsPodsFromAFile() throws {
        let layout = try LabLayout(plan: try LabFixtures.plan(LabLayoutTests.yaml), basePort: 33000)
        let json = try LabFixtures.parse(PrometheusConfig.render(layout: layout, podTargetsFile: "/lab/pods.json"))
        #expect(json.object("global")?.string("scrape_interval") == "1s")
        #expect(json.object("global")?.string("scrape_timeout") == "1s")
        let jobs = json.objects("scrape_configs")
        #expect(jobs.map { $0.string("job_name") } == ["envoy", "pods"])
        let envoy = jobs[0]
        #expect(envoy.string("metrics_path") == "/stats/prometheus")
        let targets = envoy.objects("static_configs")
        #expect(targets.count == layout.envoys.count)
        #expect(targets.first?["targets"] as? [String] == ["127.0.0.1:\(layout.envoys[0].adminPort)"])
        #expect(targets.first?.object("labels")?.string("locality") == "region1/cluster1/a")
        #expect(targets.first?.object("labels")?.string("envoy") == "envoy-cluster1-a")
        #expect(jobs[1].string("metrics_path") == "/metrics")
        #expect(jobs[1].objects("file_sd_configs").first?["files"] as? [String] == ["/lab/pods.json"])
    }

    @Test func podTargetsNameServicePodAndPlace() throws {
        let layout = try LabLayout(plan: try LabFixtures.plan(LabLayoutTests.yaml), basePort: 33000)
        let parsed = try JSONSerialization.jsonObject(with: Data(PrometheusConfig.podTargets(layout.pods).utf8))
        let groups = try #require(parsed as? [[String: Any]])
        #expect(groups.count == layout.pods.count)
        let pod = layout.pods[0]
        #expect(groups[0]["targets"] as? [String] == [pod.address])
        let labels = try #require(groups[0].object("labels"))
        #expect(labels.string("service") == pod.service)
        #expect(labels.string("pod") == pod.name)
        #expect(labels.string("node") == pod.node)
        #expect(labels.string("cluster") == pod.cluster)
        #expect(labels.string("zone") == pod.locality.zone)
        #expect(labels.string("region") == pod.locality.region)
    }
}
