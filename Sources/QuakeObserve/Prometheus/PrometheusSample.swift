/// One sample line of a Prometheus text page: series name, labels, value and optional timestamp.
///
/// Names and label strings are shared with the parser's intern table, so a sample costs no
/// string allocation once its strings have been seen on an earlier line.
public struct PrometheusSample: Sendable, Hashable {
    /// The series name as written, such as `envoy_cluster_upstream_rq_time_bucket`.
    public var name: String
    /// The family the sample belongs to: `name` without `_bucket`, `_sum` or `_count` when the
    /// preceding `# TYPE` line declared a histogram or summary of that name, else `name`.
    public var family: String
    /// The family's declared type; `untyped` when no `# TYPE` line declared it.
    public var type: PrometheusMetricType
    /// The labels in the order written.
    public var labels: [PrometheusLabel]
    /// The value; `NaN`, `+Inf` and `-Inf` included.
    public var value: Double
    /// The timestamp in milliseconds since the Unix epoch, if the line gave one.
    public var timestamp: Int64?
    /// The 1-based line number in the page.
    public var line: Int

    /// A sample from its parts.
    public init(
        name: String, family: String, type: PrometheusMetricType, labels: [PrometheusLabel],
        value: Double, timestamp: Int64?, line: Int
    ) {
        self.name = name
        self.family = family
        self.type = type
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.line = line
    }

    /// The value of the first label called `name`, or `nil`; a linear scan of the labels.
    public func label(_ name: String) -> String? {
        labels.first { $0.name == name }?.value
    }
}
