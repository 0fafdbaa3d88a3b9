import QuakeCore

/// Partitions on the lab: every Envoy connects to the pods from a loopback address of its own
/// (``LabLayout/Envoy/sourceAddress``), and a pod holds the requests of the Envoys cut off from it
/// unanswered, as a hung process would, so Envoy's per-try or route timeout ends them (504 UT), as
/// the model has it. The control plane is not touched: partitions never cut a node from its API
/// server.
///
/// Which Envoys each pod is cut off from is ``LabPartitions``' answer. A pod gets its list on its
/// command line when its process starts (``podCutOff(_:)``), so a pod (re)started during a
/// partition is cut off too; a running pod is told through `POST /control/cut-off` and its list is
/// read back (``PodControl``).
extension LabTarget {
    /// Puts fault `index`'s partition between `sides` in effect: every pod whose list changes is
    /// told, and confirms. A failed injection lifts what it set before the error goes up.
    func injectPartition(_ sides: LabPartitions.Sides, index: Int) async throws {
        let before = partitions
        partitions.insert(sides, index: index)
        do {
            try await tellPods(changedSince: before)
        } catch {
            let made = partitions
            partitions.remove(index: index)
            try? await tellPods(changedSince: made)
            throw error
        }
    }

    /// Lifts fault `index`'s partition: every pod whose list changes is told, and confirms. Nothing
    /// happens for a partition not in effect (reverted already, or never injected).
    func revertPartition(index: Int) async throws {
        let before = partitions
        guard partitions.remove(index: index) else { return }
        try await tellPods(changedSince: before)
    }

    /// Lifts every partition and tells every pod that listens, whatever it was told before (an
    /// earlier call may have failed); errors are ignored: the processes are stopped next.
    func liftPartitions() async {
        guard Self.hasPartitions(plan) else { return }
        partitions.removeAll()
        for name in podOrder { try? await tellPod(name, restarting: false) }
    }

    /// What the process of `pod` is started with: the source addresses of the Envoys cut off from its zone.
    func podCutOff(_ pod: LabLayout.Pod) -> [String] {
        partitions.peers(cutOffFrom: pod.locality, among: layout.envoys)
    }

    /// Tells a pod woken by SIGCONT the list it should have now (partitions may have begun or ended
    /// while it was stopped, when it could not answer), for plans with partitions.
    func tellResumedPod(_ name: String) async throws {
        guard Self.hasPartitions(plan) else { return }
        try await tellPod(name, restarting: true)
    }

    /// Whether `plan` schedules a partition.
    static func hasPartitions(_ plan: Plan) -> Bool {
        plan.schedule.faults.contains { if case .partition = $0.fault { return true } else { return false } }
    }

    /// Tells every pod whose list differs between `before` and now.
    private func tellPods(changedSince before: LabPartitions) async throws {
        for name in podOrder {
            guard let zone = pods[name]?.pod.locality,
                  before.peers(cutOffFrom: zone, among: layout.envoys) != partitions.peers(cutOffFrom: zone, among: layout.envoys) else { continue }
            try await tellPod(name, restarting: true)
        }
    }

    /// Gives pod `name` its list now:
    /// - no process (dead, deleted, its node down): nothing, it gets the list when it starts;
    /// - stopped (its node hangs): nothing, it cannot answer; ``tellResumedPod(_:)`` tells it after SIGCONT;
    /// - in its start delay (restarting after its node's crash): when `restarting`, its process is
    ///   started again with the list and the rest of the delay (it listens at the same time and
    ///   served nobody meanwhile), since a process that does not listen cannot be told;
    /// - otherwise it is told, and its list read back.
    ///
    /// A call that fails because the control plane killed or stopped the pod meanwhile is no error.
    private func tellPod(_ name: String, restarting: Bool) async throws {
        guard let runtime = pods[name], !runtime.deleted, let process = runtime.process, !runtime.stopped else { return }
        if runtime.listensAt > elapsed {
            guard restarting else { return }
            restartDue[name] = runtime.listensAt
            try killPod(name)
            try await restartPod(name)
            return
        }
        do {
            try await PodControl(client: admin.client).setCutOff(podCutOff(runtime.pod), on: runtime.pod)
        } catch {
            guard pods[name]?.process == process, pods[name]?.stopped == false else { return }
            throw error
        }
    }
}
