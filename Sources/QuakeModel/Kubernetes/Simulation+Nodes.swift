import QuakeCore

/// The node lifecycle controller (SEMANTICS.md §1): lease, grace, MarkPodsNotReady, taints,
/// rate-limited NoExecute per zone state, eviction after the toleration.
extension Simulation {
    /// A fault takes a node down (crash or hang). Without the cluster's control plane nothing notices here.
    mutating func nodeFailed(_ n: Int) {
        let before = nodes[n].health
        nodes[n].health = crashFaults[n] > 0 ? .crashed : .hung
        guard before == .up else { return }
        nodes[n].epoch += 1
        guard clusters[nodes[n].cluster].reachable else { return }
        let lease = timings.nodeLeaseRenewInterval.microseconds
        let lastHeartbeat = now - Int64(rng.unit() * Double(lease))
        let unknownAt = roundUp(lastHeartbeat + timings.nodeMonitorGracePeriod.microseconds, to: timings.nodeMonitorPeriod.microseconds)
        schedule(max(now, unknownAt), .nodeUnknown(node: n, epoch: nodes[n].epoch))
    }

    /// The last fault on a node is reverted: the kubelet reports again, pods restart (crash) or resume (hang).
    mutating func nodeRecovered(_ n: Int, wasCrashed: Bool) {
        guard crashFaults[n] == 0, hangFaults[n] == 0 else {
            nodes[n].health = crashFaults[n] > 0 ? .crashed : .hung
            return
        }
        nodes[n].health = .up
        nodes[n].epoch += 1
        for p in pods.indices where pods[p].node == n && pods[p].phase != .gone {
            if wasCrashed {
                restartPod(p)
            } else {
                pods[p].restartingUntil = now
            }
        }
        guard clusters[nodes[n].cluster].reachable else { return }
        if nodes[n].condition == .unknown {
            schedule(roundUp(now, to: timings.nodeMonitorPeriod.microseconds), .nodeReady(node: n, epoch: nodes[n].epoch))
        }
    }

    /// The kubelet of a crashed node that came back restarts one of its pods: the pod refuses
    /// connections until its service's `startupTime` has passed. The kubelet reports its containers
    /// not ready at once, so an endpoint the node lifecycle controller had not dropped (the node came
    /// back before its grace period ran out) leaves after the EndpointSlice update and istiod's push;
    /// the endpoint returns the same delay after the pod is ready again.
    private mutating func restartPod(_ p: Int) {
        let ready = now + services[pods[p].service].startupTime.microseconds
        pods[p].restartingUntil = ready
        if pods[p].phase == .running && pods[p].inEndpoints {
            schedule(now + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: false))
        }
        schedule(ready, .podRestarted(pod: p, epoch: nodes[pods[p].node].epoch))
    }

    /// A restarted pod is ready: its kubelet reports it, unless the node failed again meanwhile (a
    /// later restart reports it then), and its endpoint returns after the EndpointSlice update and
    /// istiod's push.
    mutating func podRestarted(_ p: Int, epoch: Int) {
        guard nodes[pods[p].node].epoch == epoch else { return }
        switch pods[p].phase {
        case .starting:
            podBecameReady(p)
        case .running:
            event(.podReady, pods[p].name, "restarted after its node came back")
            logChange(pods[p].name, .ready)
            schedule(now + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: true))
        case .gone:
            break
        }
    }

    func roundUp(_ t: Int64, to period: Int64) -> Int64 {
        guard period > 0 else { return t }
        return (t + period - 1) / period * period
    }

    mutating func nodeBecameUnknown(_ n: Int, epoch: Int) {
        guard nodes[n].epoch == epoch, nodes[n].health != .up, nodes[n].condition == .ready, clusters[nodes[n].cluster].reachable else { return }
        nodes[n].condition = .unknown
        nodes[n].noSchedule = true
        event(.nodeNotReady, nodes[n].name, "Ready → Unknown: no lease renewal for \(timings.nodeMonitorGracePeriod)")
        event(.taintAdded, nodes[n].name, "node.kubernetes.io/unreachable:NoSchedule")
        for p in pods.indices where pods[p].node == n && pods[p].inEndpoints {
            schedule(now + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: false))
        }
        let z = nodes[n].zone
        if !zones[z].taintQueue.contains(n) { zones[z].taintQueue.append(n) }
        updateZoneStates(cluster: nodes[n].cluster)
    }

    mutating func nodeBecameReady(_ n: Int, epoch: Int) {
        guard nodes[n].epoch == epoch, nodes[n].health == .up, nodes[n].condition == .unknown else { return }
        nodes[n].condition = .ready
        nodes[n].noSchedule = false
        let hadNoExecute = nodes[n].noExecuteAt != nil
        nodes[n].noExecuteAt = nil
        event(.nodeReady, nodes[n].name, "Unknown → True")
        event(.taintRemoved, nodes[n].name, "node.kubernetes.io/unreachable" + (hadNoExecute ? " (NoSchedule, NoExecute)" : " (NoSchedule)"))
        zones[nodes[n].zone].taintQueue.removeAll { $0 == n }
        // Pods that kept running through a hang pass their next readiness probe; restarted pods come
        // back when their restart is over (`restartPod`).
        for p in pods.indices where pods[p].node == n && pods[p].phase == .running && !pods[p].inEndpoints && pods[p].restartingUntil <= now {
            let ready = now + timings.readinessProbePeriod.microseconds
            schedule(ready + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: true))
        }
        updateZoneStates(cluster: nodes[n].cluster)
        retryPendingPods()
    }

    /// Recomputes every zone state of a cluster (Normal / PartialDisruption / FullDisruption) and
    /// re-arms the NoExecute taint queues.
    mutating func updateZoneStates(cluster c: Int) {
        for z in clusters[c].zones {
            let notReady = zones[z].nodes.filter { nodes[$0].condition == .unknown }.count
            let total = zones[z].nodes.count
            let state: ZoneDisruption
            if total > 0 && notReady == total {
                state = .full
            } else if notReady > 2 && Double(notReady) / Double(total) >= timings.unhealthyZoneThreshold {
                state = .partial
            } else {
                state = .normal
            }
            if state != zones[z].disruption {
                zones[z].disruption = state
                event(.zoneStateChanged, zones[z].locality.description, "\(state.rawValue); NoExecute taints at \(evictionRate(zone: z)) nodes/s")
            }
        }
        for z in clusters[c].zones where !zones[z].taintQueue.isEmpty && !zones[z].tickPending {
            zones[z].tickPending = true
            schedule(max(now, zones[z].nextTaintAt), .zoneTaintTick(zone: z))
        }
    }

    /// NoExecute taints per second in a zone: the normal rate, the secondary rate (or 0 in a small
    /// cluster) under PartialDisruption, and 0 when every zone of the cluster is fully down.
    func evictionRate(zone z: Int) -> Double {
        let c = zones[z].cluster
        if clusters[c].zones.allSatisfy({ zones[$0].disruption == .full }) { return 0 }
        switch zones[z].disruption {
        case .normal, .full: return timings.nodeEvictionRate
        case .partial: return clusters[c].nodes.count > timings.largeClusterSizeThreshold ? timings.secondaryNodeEvictionRate : 0
        }
    }

    mutating func zoneTaintTick(_ z: Int) {
        zones[z].tickPending = false
        zones[z].taintQueue.removeAll { nodes[$0].condition != .unknown || nodes[$0].noExecuteAt != nil }
        guard !zones[z].taintQueue.isEmpty else { return }
        let rate = evictionRate(zone: z)
        guard rate > 0 else { return }
        guard now >= zones[z].nextTaintAt else {
            zones[z].tickPending = true
            schedule(zones[z].nextTaintAt, .zoneTaintTick(zone: z))
            return
        }
        let n = zones[z].taintQueue.removeFirst()
        nodes[n].noExecuteAt = now
        event(.taintAdded, nodes[n].name, "node.kubernetes.io/unreachable:NoExecute")
        schedule(now + timings.unreachableTolerationSeconds.microseconds, .evictPods(node: n, epoch: nodes[n].epoch))
        zones[z].nextTaintAt = now + Int64(1_000_000 / rate)
        if !zones[z].taintQueue.isEmpty {
            zones[z].tickPending = true
            schedule(zones[z].nextTaintAt, .zoneTaintTick(zone: z))
        }
    }

    /// The pods' 300 s toleration of the NoExecute taint ran out: a Deployment's pods are deleted
    /// and replaced at once; a StatefulSet's wait for a force delete.
    mutating func evictPods(node n: Int, epoch: Int) {
        guard nodes[n].epoch == epoch, nodes[n].noExecuteAt != nil, clusters[nodes[n].cluster].reachable else { return }
        for p in pods.indices where pods[p].node == n && pods[p].phase != .gone {
            let s = pods[p].service
            guard services[s].workloadKind == .deployment else {
                event(.podEvicted, pods[p].name, "StatefulSet pod stays Terminating until a force delete or the out-of-service taint")
                continue
            }
            deletePod(p, kind: .podEvicted, detail: "toleration of node.kubernetes.io/unreachable ran out")
            if bindings[s].replicas[pods[p].cluster] > 0 { startPod(service: s, cluster: pods[p].cluster, reason: "replaces \(pods[p].name)") }
        }
    }
}
