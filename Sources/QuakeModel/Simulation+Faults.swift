import QuakeCore

/// The plan's faults and procedure steps, injected and reverted in the simulated world.
extension Simulation {
    mutating func startFault(_ i: Int) {
        let spec = plan.schedule.faults[i]
        event(.faultInjected, spec.fault.target, spec.fault.description)
        switch spec.fault {
        case let .nodeCrash(name), let .nodeHang(name):
            guard let n = nodes.firstIndex(where: { $0.name == name }) else { return }
            if case .nodeCrash = spec.fault { crashFaults[n] += 1 } else { hangFaults[n] += 1 }
            nodeFailed(n)
        case .zoneOutage:
            for n in faultNodes(spec.fault) {
                crashFaults[n] += 1
                nodeFailed(n)
            }
        case let .clusterOutage(name):
            if let c = clusterIndex(name) { clusterLost(c) }
        case let .regionOutage(region):
            for c in clusters.indices where clusters[c].region == region { clusterLost(c) }
        case let .httpAbort(service, status, percentage):
            if let s = serviceIndex(service) { routes[s].injectedAbort = (status, percentage.fraction) }
        case let .httpDelay(service, delay, percentage):
            if let s = serviceIndex(service) { routes[s].injectedDelay = (delay.microseconds, percentage.fraction) }
        case let .partition(a, b):
            partitions.append((zoneSet(a), zoneSet(b)))
        case let .podKill(service, count, cluster):
            killPods(service: service, count: count, cluster: cluster)
        }
    }

    mutating func endFault(_ i: Int) {
        let spec = plan.schedule.faults[i]
        event(.faultReverted, spec.fault.target, spec.fault.description)
        switch spec.fault {
        case let .nodeCrash(name), let .nodeHang(name):
            guard let n = nodes.firstIndex(where: { $0.name == name }) else { return }
            let crashed: Bool
            if case .nodeCrash = spec.fault {
                crashFaults[n] = max(0, crashFaults[n] - 1)
                crashed = true
            } else {
                hangFaults[n] = max(0, hangFaults[n] - 1)
                crashed = false
            }
            nodeRecovered(n, wasCrashed: crashed)
        case .zoneOutage:
            for n in faultNodes(spec.fault) {
                crashFaults[n] = max(0, crashFaults[n] - 1)
                nodeRecovered(n, wasCrashed: true)
            }
        case let .clusterOutage(name):
            if let c = clusterIndex(name) { clusterRestored(c) }
        case let .regionOutage(region):
            for c in clusters.indices where clusters[c].region == region { clusterRestored(c) }
        case let .httpAbort(service, _, _):
            if let s = serviceIndex(service) { routes[s].injectedAbort = nil }
        case let .httpDelay(service, _, _):
            if let s = serviceIndex(service) { routes[s].injectedDelay = nil }
        case let .partition(a, b):
            let pair = (zoneSet(a), zoneSet(b))
            if let k = partitions.firstIndex(where: { $0.0 == pair.0 && $0.1 == pair.1 }) { partitions.remove(at: k) }
        case .podKill:
            break
        }
    }

    private func faultNodes(_ fault: Fault) -> [Int] {
        let names = Set(BlastRadius.nodesDown(by: fault, in: plan.topology))
        return nodes.indices.filter { names.contains(nodes[$0].name) }
    }

    /// Zone indices of locality patterns `region`, `region/cluster` or `region/cluster/zone`.
    private func zoneSet(_ patterns: [String]) -> Set<Int> {
        Set(zones.indices.filter { z in patterns.contains(where: zones[z].locality.isInside) })
    }

    /// Deletes running pods of a service (their Deployment replaces them at once).
    private mutating func killPods(service: String, count: PodCount, cluster: String?) {
        guard let s = serviceIndex(service) else { return }
        var candidates = pods.indices.filter { pods[$0].service == s && pods[$0].phase == .running && (cluster == nil || clusters[pods[$0].cluster].name == cluster) }
        let n: Int
        switch count {
        case let .count(k): n = min(k, candidates.count)
        case let .percentage(p): n = min(candidates.count, Int((p.fraction * Double(candidates.count)).rounded(.up)))
        }
        for _ in 0..<n {
            let p = candidates.remove(at: rng.below(candidates.count))
            deletePod(p, kind: .podKilled, detail: "pod-kill")
            if clusters[pods[p].cluster].reachable { startPod(service: s, cluster: pods[p].cluster, reason: "replaces \(pods[p].name)") }
        }
    }

    // MARK: Procedures

    /// Runs one step. Steps run one after another: the next starts after this one's own time (an
    /// upgrade) and its wait; a `check` holds the procedure until the cluster is Ready or its timeout ends.
    mutating func runStep(procedure p: Int, step s: Int) {
        let procedure = plan.schedule.procedures[p]
        let step = procedure.steps[s]
        event(.procedureStep, procedure.name, "step \(s + 1)/\(procedure.steps.count): \(step.action)")
        switch step.action {
        case let .shiftTraffic(service, cluster, weight):
            if let si = serviceIndex(service), let c = clusterIndex(cluster) { routes[si].shift(cluster: c, share: weight.fraction) }
        case let .restoreTraffic(service, cluster):
            if let si = serviceIndex(service), let c = clusterIndex(cluster) { routes[si].restore(cluster: c) }
        case let .migrateWorkloads(cluster):
            if let c = clusterIndex(cluster) {
                clusters[c].chaosTaint = true
                event(.taintAdded, cluster, "chaos.io/down:NoSchedule, chaos.io/down:NoExecute")
                migrate(cluster: c)
            }
        case let .upgrade(cluster, takes):
            if let c = clusterIndex(cluster) {
                clusterLost(c)
                schedule(now + takes.microseconds, .upgradeDone(procedure: p, cluster: c))
            }
        case let .check(cluster, timeout):
            if let c = clusterIndex(cluster) {
                checkCluster(procedure: p, step: s, deadline: now + timeout.microseconds, cluster: c)
                return
            }
        case let .restoreWorkloads(cluster):
            if let c = clusterIndex(cluster) {
                clusters[c].chaosTaint = false
                event(.taintRemoved, cluster, "chaos.io/down (NoSchedule, NoExecute); a WorkloadRebalancer reschedules every workload")
                rebalance()
            }
        case .pause:
            break
        }
        scheduleNextStep(procedure: p, after: s, at: now + step.action.ownDuration.microseconds + step.wait.microseconds)
    }

    private mutating func scheduleNextStep(procedure p: Int, after s: Int, at t: Int64) {
        guard s + 1 < plan.schedule.procedures[p].steps.count else { return }
        schedule(t, .step(procedure: p, step: s + 1))
    }

    mutating func upgradeDone(procedure p: Int, cluster c: Int) {
        event(.procedureStep, plan.schedule.procedures[p].name, "upgrade of \(clusters[c].name) finished")
        clusterRestored(c)
    }

    /// A `check` step polls the cluster's readiness until it passes or its timeout ends.
    mutating func checkCluster(procedure p: Int, step s: Int, deadline: Int64) {
        guard case let .check(cluster, _) = plan.schedule.procedures[p].steps[s].action, let c = clusterIndex(cluster) else { return }
        checkCluster(procedure: p, step: s, deadline: deadline, cluster: c)
    }

    private mutating func checkCluster(procedure p: Int, step s: Int, deadline: Int64, cluster c: Int) {
        let name = plan.schedule.procedures[p].name
        let wait = plan.schedule.procedures[p].steps[s].wait.microseconds
        if clusters[c].reachable && clusters[c].condition == .ready {
            event(.procedureStep, name, "check passed: \(clusters[c].name) is Ready and answers /readyz")
            scheduleNextStep(procedure: p, after: s, at: now + wait)
        } else if now >= deadline {
            event(.procedureStep, name, "check failed: \(clusters[c].name) is not Ready after the check's timeout; the procedure goes on")
            scheduleNextStep(procedure: p, after: s, at: now + wait)
        } else {
            schedule(now + timings.clusterMonitorPeriod.microseconds, .checkCluster(procedure: p, step: s, deadline: deadline))
        }
    }

    /// Evicts every binding from a chaos-tainted cluster (the taint is not tolerated), rate-limited.
    private mutating func migrate(cluster c: Int) {
        guard taintManagerEvicts else {
            event(.taintAdded, clusters[c].name, "NoExecute is on, but Karmada's taint manager does not evict (Failover gate or --enable-no-execute-taint-eviction off)")
            return
        }
        let gap = Int64(1_000_000 / max(0.001, timings.resourceEvictionRate))
        for s in services.indices where bindings[s].replicas[c] > 0 && !bindings[s].pendingEviction.contains(c) {
            bindings[s].pendingEviction.insert(c)
            let due = max(now, nextBindingEviction)
            nextBindingEviction = due + gap
            schedule(due, .bindingEvict(service: s, cluster: c))
        }
    }

    /// A WorkloadRebalancer: every service is divided afresh over the feasible clusters; where that
    /// wants more replicas they start now, where fewer the extra ones go once the new ones are ready.
    private mutating func rebalance() {
        for s in services.indices {
            let feasible = ReplicaDivision.candidates(for: policies[s], in: plan.topology).filter { cluster in
                guard let c = clusterIndex(cluster.name) else { return false }
                return clusters[c].noScheduleTaint == nil && !clusters[c].chaosTaint
            }
            let division = ReplicaDivision.divide(replicas: services[s].replicas, over: feasible, mode: policies[s]?.replicaScheduling.mode ?? ReplicaScheduling().mode)
            var changes: [String] = []
            for c in clusters.indices {
                let target = division[clusters[c].name] ?? 0
                let current = bindings[s].replicas[c]
                guard target != current else { continue }
                bindings[s].replicas[c] = target
                changes.append("\(clusters[c].name) \(current)→\(target)")
                if target > current {
                    for _ in 0..<(target - current) { startPod(service: s, cluster: c, reason: "WorkloadRebalancer") }
                } else {
                    let settle = services[s].startupTime.microseconds + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds
                    schedule(now + settle, .scaleDown(service: s, cluster: c, keep: target))
                }
            }
            if !changes.isEmpty { event(.replicasChanged, services[s].name, "rebalanced: " + changes.joined(separator: ", ")) }
        }
    }
}
