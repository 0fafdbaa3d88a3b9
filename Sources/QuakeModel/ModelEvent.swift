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
    case podRestarted(pod: Int, epoch: Int)
    case clusterCondition(cluster: Int, epoch: Int, condition: ClusterCondition)
    case clusterNoExecute(cluster: Int, epoch: Int)
    case bindingEvict(service: Int, cluster: Int)
    case gracefulEnd(service: Int, cluster: Int)
    case scaleDown(service: Int, cluster: Int, keep: Int)
    case outlierSweep(envoy: Int)
    case windowEnd(Int)
}

/// An upstream attempt's request going out on its connection (`kind == .sent`), or the attempt
/// ending, applied to its Envoy (in-flight counts, outlier detection) at that moment.
struct Completion {
    enum Kind: UInt8 {
        /// The request goes out on a connection to the host (a retry's, after its back-off).
        case sent
        /// The attempt ends after its request went out.
        case ended
        /// The attempt ends never having counted on the host: its connection failed (or it took no
        /// time at all, and a `.sent` at the same µs might not come first).
        case endedUnsent
    }

    var kind: Kind
    var envoy: Int32
    var pod: Int32
    /// The host's index in its Envoy, valid while the Envoy's host set has `generation`.
    var host: Int32
    var generation: Int32
    var status: Int16
    var localOriginFailure: Bool
    var isRetry: Bool
}
