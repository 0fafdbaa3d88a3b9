/// The type a `# TYPE` line gives a metric family; `untyped` when the page gives none.
public enum PrometheusMetricType: String, Sendable, Hashable, CaseIterable {
    /// A value that only goes up (or resets to zero).
    case counter
    /// A value that goes up and down.
    case gauge
    /// Cumulative `_bucket{le=...}` counts with `_sum` and `_count`.
    case histogram
    /// `{quantile=...}` values with `_sum` and `_count`.
    case summary
    /// No type declared, or declared `untyped`.
    case untyped
}
