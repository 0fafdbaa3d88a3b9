/// How many requests had one value (a code, a flag, a cluster, a host) in an observed summary.
public struct ObservedCount: Sendable, Equatable {
    /// The value as written in the log (`-` for none).
    public var name: String
    /// How many requests.
    public var count: Int

    /// A count from its parts.
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}
