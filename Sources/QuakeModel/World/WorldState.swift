import QuakeCore

/// How a node is doing, as the fault schedule left it.
enum NodeHealth {
    /// Running.
    case up
    /// Dead: connections are refused at once, the kubelet is silent.
    case crashed
    /// Not answering: connections hang until a timeout, the kubelet is silent.
    case hung
}

/// A node's `Ready` condition as the node lifecycle controller sets it.
enum NodeCondition {
    case ready, unknown
}

struct NodeState {
    let name: String
    let cluster: Int
    let zone: Int
    let capacity: Int
    var health: NodeHealth = .up
    /// Bumped on every health change, so events scheduled for an older state are ignored.
    var epoch = 0
    var condition: NodeCondition = .ready
    var noSchedule = false
    var noExecuteAt: Int64?
    var pods = 0
}

enum PodPhase {
    /// Created, not yet passing readiness.
    case starting
    /// Ready and serving.
    case running
    /// Deleted.
    case gone
}

struct PodState {
    let name: String
    let service: Int
    let cluster: Int
    let node: Int
    let zone: Int
    var phase: PodPhase = .starting
    /// Whether the pod is in the endpoints Envoy balances over (EDS).
    var inEndpoints = false
    /// Until when the pod is restarting after its node came back (connections refused meanwhile).
    var restartingUntil: Int64 = 0
    /// The pod sidecar's local rate limit bucket: tokens left and when it was last filled.
    var tokens = 0
    var lastFill: Int64 = 0
}

/// Karmada's `Ready` condition of a member cluster.
enum ClusterCondition: String {
    case ready = "True", notReady = "False", unknown = "Unknown"
}

struct ClusterState {
    let name: String
    let region: String
    let syncMode: SyncMode
    var nodes: [Int] = []
    var zones: [Int] = []
    /// Whether Karmada (and istiod) can reach the cluster's API server.
    var reachable = true
    var epoch = 0
    var condition: ClusterCondition = .ready
    /// Karmada taints on the `Cluster` object: key → effect set.
    var noScheduleTaint: String?
    var noExecuteTaint: String?
    /// A chaos (procedure) NoSchedule+NoExecute taint.
    var chaosTaint = false
}

/// The node lifecycle controller's view of a zone of one cluster.
enum ZoneDisruption: String {
    case normal = "Normal", partial = "PartialDisruption", full = "FullDisruption"
}

struct ZoneState {
    let cluster: Int
    let locality: Locality
    var nodes: [Int] = []
    /// Unknown nodes waiting for their NoExecute taint, in order.
    var taintQueue: [Int] = []
    var nextTaintAt: Int64 = 0
    var tickPending = false
    var disruption: ZoneDisruption = .normal
}

/// Karmada's ResourceBinding of one service: where its replicas are meant to run.
struct BindingState {
    /// Replicas per cluster index (0 where none).
    var replicas: [Int]
    /// Clusters evicted from the binding, with the time their graceful eviction ends.
    var evictions: [Int: Int64] = [:]
    /// Clusters whose eviction is scheduled (rate-limited) but not yet done.
    var pendingEviction: Set<Int> = []
}
