import QuakeCore

/// The cluster canary upgrade on the lab (SEMANTICS §5.3), step by step as the model runs it
/// (`Simulation.runStep`):
/// - `shift-traffic` / `restore-traffic` set / clear the route's weight runtime keys on every
///   Envoy (``RouteWeights``), confirmed by reading the runtime back;
/// - `upgrade` is a cluster outage for its `takes` (SIGKILL of the cluster's pods, which start
///   again when it is over), as the model's `clusterLost` / `clusterRestored`;
/// - `migrate-workloads` / `restore-workloads` change nothing themselves: the model's Karmada
///   decisions (taints, evictions, the rebalance) arrive through the control-plane replay;
/// - `check` and `migrate-workloads` are confirmed from the lab's own state (a migration at once
///   when the replayed Karmada's taint manager does not evict: nothing will leave).
///
/// What a procedure changed is kept under its journal index, so a run that stops half-way
/// clears its weights and ends its upgrades (``revert(_:index:)``).
extension LabTarget {
    /// Refuses a plan whose procedures the lab cannot play: a traffic shift on a route whose
    /// weights Envoy cannot move (``RouteWeights/refusal(cluster:)``).
    static func checkProcedures(_ plan: Plan) throws(LabError) {
        for procedure in plan.schedule.procedures {
            for step in procedure.steps {
                let service: String, cluster: String
                switch step.action {
                case let .shiftTraffic(s, c, _), let .restoreTraffic(s, c): (service, cluster) = (s, c)
                default: continue
                }
                guard let spec = plan.service(named: service) else {
                    throw LabError(code: .config, message: "\(step.action.kind) names \(service), which is not a service of the plan", location: procedure.name)
                }
                if let refusal = RouteWeights(service: spec, plan: plan).refusal(cluster: cluster) {
                    throw LabError(code: .config, message: refusal, location: procedure.name)
                }
            }
        }
    }

    public func perform(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws {
        switch step.action {
        case let .shiftTraffic(service, cluster, weight):
            try await shiftTraffic(of: service, in: cluster, to: Int(weight.percent.rounded()), index: index)
        case let .restoreTraffic(service, cluster):
            try await restoreTraffic(of: service, in: cluster)
        case let .upgrade(cluster, takes):
            try await beginUpgrade(of: cluster, takes: takes, procedure: procedure, index: index)
        case .migrateWorkloads, .restoreWorkloads, .check, .pause:
            break
        }
    }

    public func isComplete(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws -> Bool {
        switch step.action {
        case let .check(cluster, _):
            guard isBack(cluster) else { return false }
            events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name,
                                        detail: "check passed: \(cluster)'s pods run and the control plane reports it Ready"))
            return true
        case let .migrateWorkloads(cluster):
            // The replayed Karmada evicts only with its taint manager on; without it nothing
            // leaves, and the procedure goes on at once, as in the model.
            guard plan.controlPlane.karmadaTaintManagerEvicts else {
                events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name,
                                            detail: "the workloads stay on \(cluster): Karmada's taint manager does not evict (Failover gate or --enable-no-execute-taint-eviction off)"))
                return true
            }
            guard hasNoPods(cluster) else { return false }
            events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure.name,
                                        detail: "the workloads left \(cluster): no pod of the plan's services is on it"))
            return true
        default:
            return true
        }
    }

    /// Clears the weights the procedure shifted and not restored (confirmed on every Envoy), and
    /// ends its upgrades under way at once (their pods start again). Every undo is tried even
    /// when one fails; the first failure is thrown.
    public func revert(_ procedure: Procedure, index: Int) async throws {
        for upgrade in (procedureState.upgrades[index] ?? [:]).values { upgrade.timer.cancel() }
        var failure: (any Error)?
        for key in (procedureState.shifts[index] ?? []).reversed() {
            do { try await restoreTraffic(of: key.service, in: key.cluster) } catch { failure = failure ?? error }
        }
        for cluster in (procedureState.upgrades[index] ?? [:]).keys.sorted() {
            do { try await endUpgrade(of: cluster, index: index) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    // MARK: Traffic

    /// The route weights of `service`, as shifted so far.
    private func routeWeights(of service: String) throws(LabError) -> RouteWeights {
        if let weights = procedureState.routes[service] { return weights }
        guard let spec = plan.service(named: service) else {
            throw LabError(code: .config, message: "not a service of the plan", location: service)
        }
        return RouteWeights(service: spec, plan: plan)
    }

    /// Sets the weight of `service`'s destinations in `cluster` on every Envoy. The shift is kept
    /// before the call, so a call that fails half-way is cleared by the procedure's revert.
    private func shiftTraffic(of service: String, in cluster: String, to weight: Int, index: Int) async throws {
        var weights = try routeWeights(of: service)
        let pairs = try weights.shift(cluster: cluster, to: weight)
        procedureState.routes[service] = weights
        let key = LabProcedureState.ShiftKey(service: service, cluster: cluster)
        if procedureState.shifts[index]?.contains(key) != true { procedureState.shifts[index, default: []].append(key) }
        try await admin.setRuntime(pairs, on: layout.envoys)
    }

    /// Clears the weight keys of `service`'s destinations in `cluster` on every Envoy (the
    /// VirtualService's weights apply again), confirmed gone.
    private func restoreTraffic(of service: String, in cluster: String) async throws {
        var weights = try routeWeights(of: service)
        let pairs = weights.restore(cluster: cluster)
        if !pairs.isEmpty { try await admin.setRuntime(pairs, on: layout.envoys) }
        procedureState.routes[service] = weights
        let key = LabProcedureState.ShiftKey(service: service, cluster: cluster)
        for i in procedureState.shifts.keys { procedureState.shifts[i]?.removeAll { $0 == key } }
    }

    // MARK: Upgrade

    /// Takes `cluster` down as a cluster outage (SIGKILL of its pods) and starts the timer that
    /// ends the upgrade after `takes`. Kept before the pods are killed, so a failure half-way is
    /// ended by the procedure's revert.
    private func beginUpgrade(of cluster: String, takes: TimeSpan, procedure: Procedure, index: Int) async throws {
        guard procedureState.upgrades[index]?[cluster] == nil else { return }
        let outage = FaultSpec(at: elapsed, duration: takes, fault: .clusterOutage(cluster: cluster))
        let timer = Task { [weak self] in
            do {
                try await Task.sleep(for: .microseconds(takes.microseconds))
            } catch {
                return
            }
            await self?.upgradeTimeIsUp(cluster: cluster, procedure: procedure.name, index: index)
        }
        procedureState.upgrades[index, default: [:]][cluster] = LabProcedureState.Upgrade(outage: outage, timer: timer)
        try await inject(outage, index: index)
    }

    /// The upgrade's time is up: its pods start again. An error is kept for the next
    /// ``observe(through:)`` to throw, as the control plane's are.
    private func upgradeTimeIsUp(cluster: String, procedure: String, index: Int) async {
        guard procedureState.upgrades[index]?[cluster] != nil else { return }
        events.append(TimelineEvent(at: elapsed, kind: .procedureStep, subject: procedure, detail: "upgrade of \(cluster) finished: its pods start again"))
        do {
            try await endUpgrade(of: cluster, index: index, byItsTimer: true)
        } catch {
            if controlPlaneError == nil { controlPlaneError = error }
        }
    }

    /// Ends the upgrade of `cluster` (the outage's revert: the pods not deleted meanwhile start).
    /// Its timer is cancelled unless it is the caller: a cancelled task's calls to the Envoys
    /// would fail at once.
    private func endUpgrade(of cluster: String, index: Int, byItsTimer: Bool = false) async throws {
        guard let upgrade = procedureState.upgrades[index]?.removeValue(forKey: cluster) else { return }
        if !byItsTimer { upgrade.timer.cancel() }
        try await revert(upgrade.outage, index: index)
    }

    /// Cancels the timers of every upgrade under way, so that none starts pods after teardown.
    func cancelUpgradeTimers() {
        for upgrade in procedureState.upgrades.values.flatMap(\.values) { upgrade.timer.cancel() }
    }

    // MARK: The lab's own state

    /// Whether `cluster` is back: no upgrade holds it down, every pod of it that the control
    /// plane did not delete has a running process, and the control plane's last word on the
    /// cluster (the replayed Karmada condition) is not NotReady.
    func isBack(_ cluster: String) -> Bool {
        if procedureState.upgrades.values.contains(where: { $0[cluster] != nil }) { return false }
        let nodes = BlastRadius.nodesDown(by: .clusterOutage(cluster: cluster), in: plan.topology)
        if nodes.contains(where: { (crashedNodes[$0] ?? 0) > 0 }) { return false }
        for runtime in pods.values where runtime.pod.cluster == cluster && !runtime.deleted {
            guard runtime.process != nil, !runtime.stopped else { return false }
        }
        let condition = events.last { ($0.kind == .clusterReady || $0.kind == .clusterNotReady) && $0.subject == cluster }
        return condition?.kind != .clusterNotReady
    }

    /// Whether no pod of the plan's services is on `cluster` (every one there was deleted).
    func hasNoPods(_ cluster: String) -> Bool {
        !pods.values.contains { $0.pod.cluster == cluster && !$0.deleted }
    }
}
