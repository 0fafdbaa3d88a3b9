/// A Karmada `ClusterTaintPolicy`: taints added to (and removed from) clusters on their conditions.
public struct ClusterTaintPolicy: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// `targetClusters`: which clusters the policy watches (nil: all).
    public var targetClusters: ClusterAffinity?
    /// `addOnConditions`: all must match for the taints to be added.
    public var addOnConditions: [ConditionMatch]
    /// `removeOnConditions`: all must match for the taints to be removed (removal wins).
    public var removeOnConditions: [ConditionMatch]
    /// `taints`: key and effect (`NoSchedule` or `NoExecute`).
    public var taints: [(key: String, value: String?, effect: String)]

    /// A policy from its parts.
    public init(name: String, targetClusters: ClusterAffinity? = nil, addOnConditions: [ConditionMatch], removeOnConditions: [ConditionMatch], taints: [(key: String, value: String?, effect: String)]) {
        self.name = name
        self.targetClusters = targetClusters
        self.addOnConditions = addOnConditions
        self.removeOnConditions = removeOnConditions
        self.taints = taints
    }

    public static func == (a: ClusterTaintPolicy, b: ClusterTaintPolicy) -> Bool {
        a.name == b.name && a.targetClusters == b.targetClusters && a.addOnConditions == b.addOnConditions
            && a.removeOnConditions == b.removeOnConditions
            && a.taints.map { "\($0.key)=\($0.value ?? ""):\($0.effect)" } == b.taints.map { "\($0.key)=\($0.value ?? ""):\($0.effect)" }
    }
}

/// `{conditionType, operator, statusValues}` of a ClusterTaintPolicy.
public struct ConditionMatch: Sendable, Equatable {
    /// The cluster condition, e.g. `Ready`.
    public var conditionType: String
    /// `In` or `NotIn`.
    public var op: String
    /// The statuses compared against (`True`, `False`, `Unknown`).
    public var statusValues: [String]

    /// A match from its parts.
    public init(conditionType: String, op: String, statusValues: [String]) {
        self.conditionType = conditionType
        self.op = op
        self.statusValues = statusValues
    }

    /// Whether a condition status satisfies the match.
    public func matches(_ status: String) -> Bool { (op == "In") == statusValues.contains(status) }
}
