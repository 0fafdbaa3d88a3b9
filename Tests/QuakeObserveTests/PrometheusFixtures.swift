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
    /// A hand-written Istio sidecar excerpt: `istio_requests_total` and `cluster_name="outbound|…"` series.
    static let istioSidecar = "istio-sidecar.txt"
}
