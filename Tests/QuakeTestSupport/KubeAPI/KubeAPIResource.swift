/// A kind of object the Kubernetes API double serves: its group, versions, plural and kind,
/// and whether it is a custom resource (no strategic merge patch, like a CRD on a real server).
///
/// Objects of a resource are stored once and served in every version it lists, as a real
/// server serves Istio's `v1` and `v1beta1` from one storage.
public struct KubeAPIResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public let group: String
    /// The versions served, the preferred (storage) one first.
    public let versions: [String]
    /// The plural name used in URLs, such as `nodes`.
    public let plural: String
    /// The kind, such as `Node`.
    public let kind: String
    /// Whether objects live in a namespace.
    public let namespaced: Bool
    /// Whether this is a custom resource (served from a CRD): no strategic merge patch, and an
    /// update must carry `metadata.resourceVersion`.
    public let isCustom: Bool
    /// Short names kubectl accepts (`no` for nodes).
    public let shortNames: [String]
    /// Whether writes to the main resource keep the stored `status` (there is a status subresource).
    let hasStatus: Bool

    /// `nodes`, or `clusters.cluster.karmada.io` for a grouped resource: the name in real messages.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The preferred version.
    public var version: String { versions[0] }

    /// `v1`, or `group/version` for a grouped resource, in the preferred version.
    public var apiVersion: String { apiVersion(version) }

    func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The singular name (`node`), as discovery gives it.
    var singular: String { kind.lowercased() }

    init(group: String, versions: [String], plural: String, kind: String, namespaced: Bool, isCustom: Bool = false, hasStatus: Bool = true, shortNames: [String] = []) {
        self.group = group
        self.versions = versions
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.isCustom = isCustom
        self.hasStatus = hasStatus
        self.shortNames = shortNames
    }

    /// Core v1 nodes.
    public static let nodes = KubeAPIResource(group: "", versions: ["v1"], plural: "nodes", kind: "Node", namespaced: false, shortNames: ["no"])
    /// Core v1 pods (with the `eviction` subresource).
    public static let pods = KubeAPIResource(group: "", versions: ["v1"], plural: "pods", kind: "Pod", namespaced: true, shortNames: ["po"])
    /// Core v1 namespaces.
    public static let namespaces = KubeAPIResource(group: "", versions: ["v1"], plural: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"])
    /// Core v1 events.
    public static let events = KubeAPIResource(group: "", versions: ["v1"], plural: "events", kind: "Event", namespaced: true, hasStatus: false, shortNames: ["ev"])
    /// policy/v1 PodDisruptionBudgets, which the eviction subresource enforces.
    public static let podDisruptionBudgets = KubeAPIResource(group: "policy", versions: ["v1"], plural: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"])
    /// apps/v1 Deployments.
    public static let deployments = KubeAPIResource(group: "apps", versions: ["v1"], plural: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"])
    /// apps/v1 DaemonSets (kubectl drain looks up a DaemonSet pod's owner).
    public static let daemonSets = KubeAPIResource(group: "apps", versions: ["v1"], plural: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"])
    /// discovery.k8s.io/v1 EndpointSlices.
    public static let endpointSlices = KubeAPIResource(group: "discovery.k8s.io", versions: ["v1"], plural: "endpointslices", kind: "EndpointSlice", namespaced: true, hasStatus: false)
    /// Karmada's member clusters, `cluster.karmada.io/v1alpha1` (cluster-scoped custom resource).
    public static let clusters = KubeAPIResource(group: "cluster.karmada.io", versions: ["v1alpha1"], plural: "clusters", kind: "Cluster", namespaced: false, isCustom: true)
    /// Karmada's ResourceBindings, `work.karmada.io/v1alpha2`.
    public static let resourceBindings = KubeAPIResource(group: "work.karmada.io", versions: ["v1alpha2"], plural: "resourcebindings", kind: "ResourceBinding", namespaced: true, isCustom: true, shortNames: ["rb"])
    /// Karmada's PropagationPolicies, `policy.karmada.io/v1alpha1`.
    public static let propagationPolicies = KubeAPIResource(group: "policy.karmada.io", versions: ["v1alpha1"], plural: "propagationpolicies", kind: "PropagationPolicy", namespaced: true, isCustom: true, hasStatus: false, shortNames: ["pp"])
    /// Karmada's WorkloadRebalancers, `apps.karmada.io/v1alpha1` (cluster-scoped).
    public static let workloadRebalancers = KubeAPIResource(group: "apps.karmada.io", versions: ["v1alpha1"], plural: "workloadrebalancers", kind: "WorkloadRebalancer", namespaced: false, isCustom: true)
    /// Istio VirtualServices, `networking.istio.io/v1` and `v1beta1`.
    public static let virtualServices = KubeAPIResource(group: "networking.istio.io", versions: ["v1", "v1beta1"], plural: "virtualservices", kind: "VirtualService", namespaced: true, isCustom: true, shortNames: ["vs"])
    /// Istio DestinationRules, `networking.istio.io/v1` and `v1beta1`.
    public static let destinationRules = KubeAPIResource(group: "networking.istio.io", versions: ["v1", "v1beta1"], plural: "destinationrules", kind: "DestinationRule", namespaced: true, isCustom: true, shortNames: ["dr"])

    /// Every resource the double serves.
    public static let all: [KubeAPIResource] = [
        .nodes, .pods, .namespaces, .events, .podDisruptionBudgets, .deployments, .daemonSets, .endpointSlices,
        .clusters, .resourceBindings, .propagationPolicies, .workloadRebalancers, .virtualServices, .destinationRules,
    ]

    /// The resource served at `group`/`version` under `plural`, if any.
    static func find(group: String, version: String, plural: String) -> KubeAPIResource? {
        all.first { $0.group == group && $0.plural == plural && $0.versions.contains(version) }
    }

    /// The resource of `kind` in `group`, if any.
    static func find(group: String, kind: String) -> KubeAPIResource? {
        all.first { $0.group == group && $0.kind == kind }
    }
}
