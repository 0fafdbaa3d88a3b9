/// What the `# TYPE` and `# HELP` lines of a page say about one metric family.
public struct PrometheusFamily: Sendable, Hashable {
    /// The family name, such as `envoy_cluster_upstream_rq_time`.
    public var name: String
    /// The declared type; `untyped` when only samples or a `# HELP` line named it.
    public var type: PrometheusMetricType
    /// The `# HELP` text, unescaped, if the page gave one.
    public var help: String?

    /// A family from its parts.
    public init(name: String, type: PrometheusMetricType, help: String?) {
        self.name = name
        self.type = type
        self.help = help
    }
}
