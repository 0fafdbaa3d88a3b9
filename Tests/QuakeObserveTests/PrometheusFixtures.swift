import Foundation

/// The committed Prometheus pages under `Fixtures/prometheus/`.
enum PrometheusFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/prometheus")

    /// The bytes of fixture `name`.
    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// A real Envoy 1.40.0 `/stats/prometheus` page: clusters `reviews` (3 hosts, one answering 503
    /// and ejected by outlier detection), `ratings` (one host refusing connections, retried) and
    /// `details` (slow host behind a 1-request circuit breaker: timeouts and pending overflow).
    static let envoyPage = "envoy-1.40-stats.txt"
    /// The example page of the exposition format documentation.
    static let specExample = "spec-example.txt"
    /// A real lab run's Envoy stats as its Prometheus 2.42 kept them: the answer to
    /// `EnvoyStatsTimeline`'s range query at 1795625755.895 over 32 s. One Envoy (`envoy-c1-a`, in
    /// r1/c1/a) and backend's four pods on ports 26003–26006; the node of backend-c1-0 (26003) crashed,
    /// its endpoint was dropped and, after the revert, added back.
    static let labNodeCrash = "lab-node-crash-envoy-stats.json"
    /// A hand-written Istio sidecar excerpt: `istio_requests_total` and `cluster_name="outbound|…"` series.
    static let istioSidecar = "istio-sidecar.txt"
}
