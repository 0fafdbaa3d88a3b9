/// One label of a sample, its value unescaped (`\\`, `\"` and `\n` turned into the characters they stand for).
public struct PrometheusLabel: Sendable, Hashable {
    /// The label name, such as `envoy_cluster_name`.
    public var name: String
    /// The label value, unescaped.
    public var value: String

    /// A label from its name and unescaped value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
