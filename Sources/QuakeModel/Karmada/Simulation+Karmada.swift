import QuakeCore

/// Karmada (SEMANTICS.md §2): cluster health by push probes or pull leases, NoSchedule taints,
/// the talk-era NoExecute after `failover-eviction-timeout`, ClusterTaintPolicies, the taint
/// manager, graceful eviction and rescheduling by the propagation policy.
extension Simulation {
    /// The cluster's API server is gone (an outage or an upgrade): its nodes die with it.
    mutating func clusterLost(_ c: Int) {
        lostFaults[c] += 1
        guard lostFaults[c] == 1 else { return }
        clusters[c].reachable = false
        clusters[c].epoch += 1
        for n in clusters[c].nodes {
            crashFaults[n] += 1
            nodes[n].health = .crashed
            nodes[n].epoch += 1
        }
        let epoch = clusters[c].epoch
        switch clusters[c].syncMode {
        case .push:
            let period = timings.clusterStatusUpdateFrequency.microseconds
            let offset = Int64(c) * 1_000_000 % max(1, period)
            let firstFailedProbe = roundUp(now - offset, to: period) + offset
            let committed = roundUp(firstFailedProbe + timings.clusterFailureThreshold.microseconds - offset, to: period) + offset
            schedule(committed, .clusterCondition(cluster: c, epoch: epoch, condition: .notReady))
        case .pull:
            let lastLease = now - Int64(rng.unit() * Double(timings.nodeLeaseRenewInterval.microseconds))
            let unknownAt = roundUp(lastLease + timings.clusterMonitorGracePeriod.microseconds, to: timings.clusterMonitorPeriod.microseconds)
            schedule(max(now, unknownAt), .clusterCondition(cluster: c, epoch: epoch, condition: .unknown))
        }
    }

    /// The cluster is back: nodes boot, pods restart, Karmada sees it Ready after the success threshold.
    mutating func clusterRestored(_ c: Int) {
        lostFaults[c] = max(0, lostFaults[c] - 1)
        guard lostFaults[c] == 0 else { return }
        clusters[c].reachable = true
        clusters[c].epoch += 1
        for n in clusters[c].nodes {
            crashFaults[n] = max(0, crashFaults[n] - 1)
            nodeRecovered(n, wasCrashed: true)
        }
        // istiod reads the cluster's endpoints again: pods that left while it was away drop out, and
        // so do the restarting ones (their kubelets report them not ready as the cluster comes back);
        // those come back once ready (`restartPod`).
        for p in pods.indices where pods[p].cluster == c && pods[p].inEndpoints && (pods[p].phase == .gone || pods[p].restartingUntil > now) {
            setEndpoint(pod: p, add: false)
        }
        guard clusters[c].condition != .ready else { return }
        let threshold = clusters[c].syncMode == .push ? timings.clusterSuccessThreshold.microseconds : timings.clusterMonitorPeriod.microseconds
        schedule(now + threshold, .clusterCondition(cluster: c, epoch: clusters[c].epoch, condition: .ready))
    }

    mutating func clusterConditionChanged(_ c: Int, epoch: Int, to condition: ClusterCondition) {
        guard clusters[c].epoch == epoch, clusters[c].condition != condition else { return }
        clusters[c].condition = condition
        let key = condition == .unknown ? "cluster.karmada.io/unreachable" : "cluster.karmada.io/not-ready"
        guard condition != .ready else {
            event(.clusterReady, clusters[c].name, "Ready=True")
            if let taint = clusters[c].noScheduleTaint { event(.taintRemoved, clusters[c].name, "\(taint):NoSchedule") }
            if let taint = clusters[c].noExecuteTaint { event(.taintRemoved, clusters[c].name, "\(taint):NoExecute") }
            clusters[c].noScheduleTaint = nil
            clusters[c].noExecuteTaint = nil
            event(.clusterReady, clusters[c].name, "nothing moves back by itself (a WorkloadRebalancer does that)")
            return
        }
        event(.clusterNotReady, clusters[c].name, "Ready=\(condition.rawValue)")
        clusters[c].noScheduleTaint = key
        event(.taintAdded, clusters[c].name, "\(key):NoSchedule")
        if plan.controlPlane.karmadaTaintsFailedClusters {
            schedule(now + timings.failoverEvictionTimeout.microseconds, .clusterNoExecute(cluster: c, epoch: epoch))
        }
        applyTaintPolicies(cluster: c)
    }

    /// ClusterTaintPolicies whose conditions match the cluster's Ready condition add their taints.
    private mutating func applyTaintPolicies(cluster c: Int) {
        guard let topologyCluster = plan.topology.cluster(named: clusters[c].name) else { return }
        for policy in plan.clusterTaintPolicies where policy.targetClusters?.admits(topologyCluster) ?? true {
            let adds = policy.addOnConditions.allSatisfy { $0.conditionType != "Ready" || $0.matches(clusters[c].condition.rawValue) }
                && policy.addOnConditions.contains { $0.conditionType == "Ready" }
            guard adds else { continue }
            for taint in policy.taints {
                event(.taintAdded, clusters[c].name, "\(taint.key):\(taint.effect) (ClusterTaintPolicy \(policy.name))")
                if taint.effect == "NoExecute", clusters[c].noExecuteTaint == nil {
                    clusters[c].noExecuteTaint = taint.key
                    runTaintManager(cluster: c)
                }
            }
        }
    }

    /// Up to Karmada 1.13 with the Failover gate: NoExecute after `failover-eviction-timeout` in the bad state.
    mutating func clusterNoExecuteTimeout(_ c: Int, epoch: Int) {
        guard clusters[c].epoch == epoch, clusters[c].condition != .ready, clusters[c].noExecuteTaint == nil else { return }
        let key = clusters[c].condition == .unknown ? "cluster.karmada.io/unreachable" : "cluster.karmada.io/not-ready"
        clusters[c].noExecuteTaint = key
        event(.taintAdded, clusters[c].name, "\(key):NoExecute after failover-eviction-timeout \(timings.failoverEvictionTimeout)")
        runTaintManager(cluster: c)
    }

    /// Whether Karmada's taint manager evicts on NoExecute (SEMANTICS.md §2.2.4).
    var taintManagerEvicts: Bool { plan.controlPlane.karmadaTaintManagerEvicts }

    /// Schedules the eviction of every binding on a NoExecute-tainted cluster, at the end of its
    /// toleration, at most `resource-eviction-rate` bindings per second.
    mutating func runTaintManager(cluster c: Int) {
        guard taintManagerEvicts else {
            event(.taintAdded, clusters[c].name, "NoExecute is on, but Karmada's taint manager does not evict (Failover gate or --enable-no-execute-taint-eviction off)")
            return
        }
        guard let key = clusters[c].noExecuteTaint else { return }
        let gap = Int64(1_000_000 / max(0.001, timings.resourceEvictionRate))
        for s in services.indices where bindings[s].replicas[c] > 0 && !bindings[s].pendingEviction.contains(c) {
            guard let tolerated = toleration(service: s, key: key) else {
                event(.taintAdded, clusters[c].name, "\(services[s].name) tolerates \(key):NoExecute forever; it stays")
                continue
            }
            bindings[s].pendingEviction.insert(c)
            let due = max(now + tolerated, nextBindingEviction)
            nextBindingEviction = due + gap
            schedule(due, .bindingEvict(service: s, cluster: c))
        }
    }

    /// How long (µs) a service's binding tolerates a NoExecute taint; nil for forever.
    func toleration(service s: Int, key: String) -> Int64? {
        var tolerations = policies[s]?.clusterTolerations ?? []
        if plan.controlPlane.karmada < Version(1, 14) {
            // karmada-webhook adds these to every policy up to v1.13.
            let seconds = timings.karmadaDefaultTolerationSeconds
            tolerations.append(ClusterToleration(key: "cluster.karmada.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds))
            tolerations.append(ClusterToleration(key: "cluster.karmada.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds))
        }
        let matching = tolerations.filter { $0.tolerates(key: key, value: nil, effect: "NoExecute") }
        guard !matching.isEmpty else { return 0 }
        let limits = matching.compactMap(\.tolerationSeconds)
        guard limits.count == matching.count, let shortest = limits.min() else { return nil }
        return shortest.microseconds
    }

    /// GracefulEvictCluster: the cluster leaves the binding, its replicas are rescheduled by the
    /// policy, and the old copy stays until the new clusters are healthy or the grace period ends.
    mutating func evictBinding(service s: Int, cluster c: Int) {
        bindings[s].pendingEviction.remove(c)
        guard bindings[s].replicas[c] > 0, clusters[c].noExecuteTaint != nil || clusters[c].chaosTaint else { return }
        let evicted = bindings[s].replicas[c]
        bindings[s].replicas[c] = 0
        event(.bindingEvicted, "\(services[s].name)-deployment", "\(evicted) replicas leave \(clusters[c].name)")
        reschedule(service: s, reason: "rescheduled after eviction from \(clusters[c].name)")
        let purge = policies[s]?.failover?.clusterPurgeMode ?? "Gracefully"
        if purge == "Directly" || purge == "Immediately" || !plan.controlPlane.karmadaFeatures.gracefulEviction {
            endGracefulEviction(service: s, cluster: c)
        } else {
            let deadline = now + timings.gracefulEvictionTimeout.microseconds
            bindings[s].evictions[c] = deadline
            schedule(deadline, .gracefulEnd(service: s, cluster: c))
            finishGracefulEvictionsIfHealthy(service: s)
        }
    }

    /// Divides the service's replicas again over the feasible clusters (not NoSchedule-tainted,
    /// admitted by the policy) and scales up where the new division wants more. Nothing scales down.
    mutating func reschedule(service s: Int, reason: String) {
        let feasible = ReplicaDivision.candidates(for: policies[s], in: plan.topology).filter { cluster in
            guard let c = clusterIndex(cluster.name) else { return false }
            return clusters[c].noScheduleTaint == nil && !clusters[c].chaosTaint
        }
        let mode = policies[s]?.replicaScheduling.mode ?? ReplicaScheduling().mode
        if case .duplicated = mode {
            event(.replicasChanged, services[s].name, "Duplicated: the surviving clusters keep their copy; no new cluster is added")
            return
        }
        let division = ReplicaDivision.divide(replicas: services[s].replicas, over: feasible, mode: mode) { cluster in
            guard let c = self.clusterIndex(cluster.name) else { return 0 }
            return self.clusters[c].nodes.reduce(0) { $0 + max(0, self.nodes[$1].capacity - self.nodes[$1].pods) }
        }
        var changes: [String] = []
        for c in clusters.indices {
            let target = division[clusters[c].name] ?? 0
            guard target > bindings[s].replicas[c] else { continue }
            let add = target - bindings[s].replicas[c]
            bindings[s].replicas[c] = target
            changes.append("\(clusters[c].name) \(target - add)→\(target)")
            for _ in 0..<add { startPod(service: s, cluster: c, reason: reason) }
        }
        if !changes.isEmpty { event(.replicasChanged, services[s].name, changes.joined(separator: ", ")) }
    }

    /// Ends graceful eviction tasks of a service once every cluster of its binding runs ready replicas.
    mutating func finishGracefulEvictionsIfHealthy(service s: Int) {
        let tasks = bindings[s].evictions.keys.sorted()
        guard !tasks.isEmpty else { return }
        for c in clusters.indices where bindings[s].replicas[c] > 0 {
            let ready = pods.reduce(0) { $0 + ($1.service == s && $1.cluster == c && $1.phase == .running ? 1 : 0) }
            guard ready >= bindings[s].replicas[c] else { return }
        }
        for c in tasks { endGracefulEviction(service: s, cluster: c) }
    }

    /// Deletes the old copy of a service in an evicted cluster.
    mutating func endGracefulEviction(service s: Int, cluster c: Int) {
        bindings[s].evictions[c] = nil
        guard bindings[s].replicas[c] == 0 else { return }
        var removed = 0
        for p in pods.indices where pods[p].service == s && pods[p].cluster == c && pods[p].phase != .gone {
            deletePod(p, kind: .podEvicted, detail: "old copy removed after graceful eviction from \(clusters[c].name)")
            removed += 1
        }
        if removed > 0 { event(.replicasChanged, services[s].name, "\(clusters[c].name) \(removed)→0") }
    }

    /// Scales a service down to `keep` pods in a cluster (after a rebalance brought replicas back elsewhere).
    mutating func scaleDown(service s: Int, cluster c: Int, keep: Int) {
        let running = pods.indices.filter { pods[$0].service == s && pods[$0].cluster == c && pods[$0].phase != .gone }
        guard running.count > keep else { return }
        for p in running.suffix(running.count - keep) { deletePod(p, kind: .podKilled, detail: "scaled down by the rebalance") }
        event(.replicasChanged, services[s].name, "\(clusters[c].name) \(running.count)→\(keep)")
    }
}
