/// The control-plane and schedule events of the simulation (requests are not events: they are
/// simulated when they arrive, see `Simulation+Requests.swift`).
enum ModelEvent {
    case faultStart(Int), faultEnd(Int)
    case step(procedure: Int, step: Int)
    case checkCluster(procedure: Int, step: Int, deadline: Int64)
    case upgradeDone(procedure: Int, cluster: Int)
    case nodeUnknown(node: Int, epoch: Int)
    case nodeReady(node: Int, epoch: Int)
    case endpoint(pod: Int, add: Bool)
    case zoneTaintTick(zone: Int)
    case evictPods(node: Int, epoch: Int)
    case podReady(pod: Int)
    case clusterCondition(cluster: Int, epoch: Int, condition: ClusterCondition)
    case clusterNoExecute(cluster: Int, epoch: Int)
    case bindingEvict(service: Int, cluster: Int)
    case gracefulEnd(service: Int, cluster: Int)
    case scaleDown(service: Int, cluster: Int, keep: Int)
    case outlierSweep(envoy: Int)
    case windowEnd(Int)
}

/// A finished upstream attempt, applied to its Envoy's outlier detection when it completes.
struct Completion {
    var envoy: Int32
    var pod: Int32
    /// The host's index in its Envoy, valid while the Envoy's host set has `generation`.
    var host: Int32
    var generation: Int32
    var status: Int16
    var localOriginFailure: Bool
    var isRetry: Bool
}
