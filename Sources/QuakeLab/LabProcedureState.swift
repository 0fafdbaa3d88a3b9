import QuakeCore

/// What the lab's procedures have changed and not yet put back: route weights shifted in the
/// Envoys' runtime, and clusters whose upgrade holds their pods down. Kept by procedure (its
/// journal index), so that a run that stops half-way undoes exactly what each one changed.
struct LabProcedureState: Sendable {
    /// A cluster under upgrade: the outage it is on the lab, and the task that ends it when the
    /// upgrade's time is up.
    struct Upgrade: Sendable {
        /// The cluster outage that stands for the upgrade (SIGKILL of the cluster's pods).
        var outage: FaultSpec
        /// Sleeps for the upgrade's `takes`, then ends it; cancelled when the run stops first.
        var timer: Task<Void, Never>
    }

    /// Every service's route weights, shifted or not (the runtime keys are shared by procedures).
    var routes: [String: RouteWeights] = [:]
    /// The (service, cluster) shifts each procedure made and has not restored, in order.
    var shifts: [Int: [ShiftKey]] = [:]
    /// The upgrades each procedure has under way, by cluster.
    var upgrades: [Int: [String: Upgrade]] = [:]

    /// One shifted cluster of one service's route.
    struct ShiftKey: Sendable, Hashable {
        var service: String
        var cluster: String
    }
}
