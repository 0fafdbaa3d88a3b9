/// The parts of a Karmada `PropagationPolicy` (or `ClusterPropagationPolicy`) that Quake models.
public struct PropagationPolicy: Sendable {
    /// The policy's `metadata.name`.
    public var name: String
    /// `PropagationPolicy` or `ClusterPropagationPolicy`.
    public var kind: String
    /// The policy's namespace; nil for a ClusterPropagationPolicy.
    public var namespace: String?
    /// Which resource templates the policy propagates.
    public var resourceSelectors: [ResourceSelector]
    /// `spec.priority`: the higher wins when several policies match.
    public var priority: Int
    /// Which clusters may run the workload.
    public var clusterAffinity: ClusterAffinity?
    /// Which cluster taints the workload tolerates, and for how long.
    public var clusterTolerations: [ClusterToleration]
    /// `spreadConstraints`: minimum and maximum groups by field.
    public var spreadConstraints: [SpreadConstraint]
    /// How replicas are spread over the chosen clusters.
    public var replicaScheduling: ReplicaScheduling
    /// `spec.failover`: application failover and cluster failover purge mode.
    public var failover: FailoverBehavior?

    /// A policy from its parts.
    public init(
        name: String, kind: String = "PropagationPolicy", namespace: String? = "default",
        resourceSelectors: [ResourceSelector], priority: Int = 0, clusterAffinity: ClusterAffinity? = nil,
        clusterTolerations: [ClusterToleration] = [], spreadConstraints: [SpreadConstraint] = [],
        replicaScheduling: ReplicaScheduling = ReplicaScheduling(), failover: FailoverBehavior? = nil
    ) {
        self.name = name
        self.kind = kind
        self.namespace = namespace
        self.resourceSelectors = resourceSelectors
        self.priority = priority
        self.clusterAffinity = clusterAffinity
        self.clusterTolerations = clusterTolerations
        self.spreadConstraints = spreadConstraints
        self.replicaScheduling = replicaScheduling
        self.failover = failover
    }

    /// Whether one of the resource selectors picks the service's workload.
    public func selects(_ service: ServiceSpec) -> Bool { specificity(for: service) > 0 }

    /// How precisely the policy selects the service, as Karmada ranks matches: 3 by name,
    /// 2 by label selector, 1 by kind alone, 0 not at all.
    public func specificity(for service: ServiceSpec) -> Int {
        if let namespace, namespace != service.namespace { return 0 }
        return resourceSelectors.filter { $0.selects(service) }.map { $0.name != nil ? 3 : $0.matchLabels.isEmpty ? 1 : 2 }.max() ?? 0
    }
}

/// `resourceSelectors[]` of a propagation policy.
public struct ResourceSelector: Sendable, Equatable {
    /// The selected API version, e.g. `apps/v1`.
    public var apiVersion: String
    /// The selected kind, e.g. `Deployment`.
    public var kind: String
    /// The selected object's name; nil selects every object of the kind.
    public var name: String?
    /// The selected namespace; nil for the policy's own.
    public var namespace: String?
    /// Labels the object must carry (`labelSelector.matchLabels`).
    public var matchLabels: [String: String]

    /// A selector from its parts.
    public init(apiVersion: String, kind: String, name: String? = nil, namespace: String? = nil, matchLabels: [String: String] = [:]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.matchLabels = matchLabels
    }

    /// Whether the selector picks the service's workload.
    public func selects(_ service: ServiceSpec) -> Bool {
        guard apiVersion == "apps/v1", kind == service.workloadKind.rawValue else { return false }
        if let namespace, namespace != service.namespace { return false }
        if let name, name != service.name { return false }
        return matchLabels.allSatisfy { service.labels[$0.key] == $0.value }
    }
}

/// `placement.clusterAffinity`.
public struct ClusterAffinity: Sendable, Equatable {
    /// Only these clusters (empty: no restriction).
    public var clusterNames: [String]
    /// Never these clusters.
    public var exclude: [String]
    /// Cluster labels that must match (`labelSelector.matchLabels`).
    public var matchLabels: [String: String]
    /// `labelSelector.matchExpressions`.
    public var matchExpressions: [LabelExpression]
    /// `fieldSelector.matchExpressions` over `provider`, `region` and `zone`.
    public var fieldExpressions: [LabelExpression]

    /// An affinity from its parts.
    public init(clusterNames: [String] = [], exclude: [String] = [], matchLabels: [String: String] = [:], matchExpressions: [LabelExpression] = [], fieldExpressions: [LabelExpression] = []) {
        self.clusterNames = clusterNames
        self.exclude = exclude
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
        self.fieldExpressions = fieldExpressions
    }

    /// Whether `cluster` is allowed.
    public func admits(_ cluster: Cluster) -> Bool {
        if !clusterNames.isEmpty, !clusterNames.contains(cluster.name) { return false }
        if exclude.contains(cluster.name) { return false }
        guard matchLabels.allSatisfy({ cluster.labels[$0.key] == $0.value }) else { return false }
        guard matchExpressions.allSatisfy({ $0.matches(cluster.labels[$0.key]) }) else { return false }
        let fields = ["region": cluster.region, "provider": cluster.provider ?? "", "zone": cluster.zones.first?.name ?? ""]
        return fieldExpressions.allSatisfy { expression in
            if expression.key == "zone" { return cluster.zones.contains { expression.matches($0.name) } }
            return expression.matches(fields[expression.key])
        }
    }
}

/// A Kubernetes label selector requirement: `{key, operator, values}`.
public struct LabelExpression: Sendable, Equatable {
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    public enum Operator: String, Sendable, CaseIterable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist" }
    /// The label (or field) key.
    public var key: String
    /// How the value is compared.
    public var op: Operator
    /// The values for `In` and `NotIn`.
    public var values: [String]

    /// A requirement from its parts.
    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    /// Whether a label value (nil: the label is absent) satisfies the requirement.
    public func matches(_ value: String?) -> Bool {
        switch op {
        case .in: return value.map(values.contains) ?? false
        case .notIn: return !(value.map(values.contains) ?? false)
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }
}

/// `placement.clusterTolerations[]`.
public struct ClusterToleration: Sendable, Equatable {
    /// The tolerated taint key; nil tolerates every key (with `Exists`).
    public var key: String?
    /// `Equal` or `Exists`.
    public var `operator`: String
    /// The tolerated value for `Equal`.
    public var value: String?
    /// The tolerated effect; nil tolerates every effect.
    public var effect: String?
    /// `tolerationSeconds`: how long a NoExecute taint is tolerated (whole seconds in a manifest, finer
    /// once the lab compresses it); nil is forever.
    public var tolerationSeconds: TimeSpan?

    /// A toleration from its parts.
    public init(key: String? = nil, operator: String = "Equal", value: String? = nil, effect: String? = nil, tolerationSeconds: TimeSpan? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// Whether the toleration matches a taint (`key`, `value`, `effect`), as Kubernetes and Karmada match them.
    public func tolerates(key taintKey: String, value taintValue: String?, effect taintEffect: String) -> Bool {
        if let effect, effect != taintEffect { return false }
        if let key, key != taintKey { return false }
        if key == nil, `operator` != "Exists" { return effect != nil && (value ?? "") == (taintValue ?? "") }
        if `operator` == "Exists" { return true }
        return (value ?? "") == (taintValue ?? "")
    }
}

/// `placement.spreadConstraints[]`.
public struct SpreadConstraint: Sendable, Equatable {
    /// `cluster`, `region`, `zone` or `provider`; or `label:<key>` for `spreadByLabel`.
    public var spreadBy: String
    /// At most this many groups.
    public var maxGroups: Int?
    /// At least this many groups.
    public var minGroups: Int

    /// A constraint from its parts.
    public init(spreadBy: String, maxGroups: Int? = nil, minGroups: Int = 1) {
        self.spreadBy = spreadBy
        self.maxGroups = maxGroups
        self.minGroups = minGroups
    }
}

/// `placement.replicaScheduling`.
public struct ReplicaScheduling: Sendable, Equatable {
    /// How replicas are assigned to clusters.
    public enum Mode: Sendable, Equatable {
        /// Every chosen cluster runs the full replica count.
        case duplicated
        /// Replicas are split by static weights (`staticWeightList`; equal weights when empty).
        case staticWeights([String: Int])
        /// Replicas are split by each cluster's available capacity (`dynamicWeight: AvailableReplicas`).
        case dynamicWeight
        /// Replicas fill as few clusters as capacity allows (`replicaDivisionPreference: Aggregated`).
        case aggregated
    }
    /// The assignment mode.
    public var mode: Mode

    /// Divided by equal weights unless told otherwise (Karmada's default is Divided).
    public init(mode: Mode = .staticWeights([:])) { self.mode = mode }
}

/// `spec.failover` of a propagation policy.
public struct FailoverBehavior: Sendable, Equatable {
    /// `failover.application.decisionConditions.tolerationSeconds`: how long a cluster may stay
    /// unhealthy before the application leaves it; nil without application failover.
    public var applicationTolerationSeconds: TimeSpan?
    /// `failover.application.purgeMode`.
    public var applicationPurgeMode: String?
    /// `failover.application.gracePeriodSeconds`: how long the old copy stays after an application
    /// failover; nil for the timing `applicationGracePeriod`.
    public var applicationGracePeriodSeconds: TimeSpan?
    /// `failover.cluster.purgeMode` (Karmada ≥ 1.15).
    public var clusterPurgeMode: String?

    /// Failover settings from their parts.
    public init(applicationTolerationSeconds: TimeSpan? = nil, applicationPurgeMode: String? = nil, applicationGracePeriodSeconds: TimeSpan? = nil, clusterPurgeMode: String? = nil) {
        self.applicationTolerationSeconds = applicationTolerationSeconds
        self.applicationPurgeMode = applicationPurgeMode
        self.applicationGracePeriodSeconds = applicationGracePeriodSeconds
        self.clusterPurgeMode = clusterPurgeMode
    }
}
