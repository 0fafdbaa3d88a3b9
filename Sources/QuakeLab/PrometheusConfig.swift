import QuakeCore

/// The lab Prometheus' configuration: every Envoy's `/stats/prometheus` and every pod's `/metrics`,
/// scraped every second (a scrape of Envoy takes about 3 ms, LAB-NOTES §2).
///
/// Envoys are fixed for a run, so they are static targets. Pods come and go (rescheduling), so
/// they are read from a file-discovery file that the lab rewrites with `AtomicFileWriter` whenever
/// pods change; Prometheus notices the rename by itself. Every target carries labels naming where
/// it runs: `region`, `cluster`, `zone` and `locality` (`region/cluster/zone`); an Envoy also
/// `envoy`; a pod also `service`, `pod` and `node`.
public enum PrometheusConfig {
    /// The job of the Envoy targets.
    public static let envoyJob = "envoy"
    /// The job of the pod targets.
    public static let podJob = "pods"

    /// `prometheus.yml` (JSON, which Prometheus reads as YAML) for `layout`'s Envoys, with the pods
    /// read from `podTargetsFile` (write it with `podTargets` before Prometheus starts).
    public static func render(layout: LabLayout, podTargetsFile: String, scrapeInterval: TimeSpan = .seconds(1)) -> String {
        let interval = LabJSON.duration(max(.milliseconds(100), scrapeInterval))
        return LabJSON.object([
            ("global", .object([
                ("scrape_interval", interval),
                ("scrape_timeout", interval),
                ("evaluation_interval", interval),
            ])),
            ("scrape_configs", .array([
                .object([
                    ("job_name", .string(envoyJob)),
                    ("metrics_path", .string("/stats/prometheus")),
                    ("static_configs", .array(layout.envoys.map { envoy in
                        .object([
                            ("targets", .array([.string("127.0.0.1:\(envoy.adminPort)")])),
                            ("labels", labels(envoy.locality, extra: [("envoy", envoy.name)])),
                        ])
                    })),
                ]),
                .object([
                    ("job_name", .string(podJob)),
                    ("metrics_path", .string("/metrics")),
                    ("file_sd_configs", .array([.object([
                        ("files", .array([.string(podTargetsFile)])),
                        ("refresh_interval", .string("5s")),
                    ])])),
                ]),
            ])),
        ]).rendered()
    }

    /// The file-discovery file listing `pods` (Prometheus' `file_sd` JSON format), in the given order.
    public static func podTargets(_ pods: [LabLayout.Pod]) -> String {
        LabJSON.array(pods.map { pod in
            .object([
                ("targets", .array([.string(pod.address)])),
                ("labels", labels(pod.locality, extra: [("service", pod.service), ("pod", pod.name), ("node", pod.node)])),
            ])
        }).rendered()
    }

    private static func labels(_ locality: Locality, extra: [(String, String)]) -> LabJSON {
        let base = [("region", locality.region), ("cluster", locality.cluster), ("zone", locality.zone), ("locality", locality.description)]
        return .object((base + extra).map { ($0.0, LabJSON.string($0.1)) })
    }
}
