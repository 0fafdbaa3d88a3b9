import QuakeCore

/// Pods: initial placement, kube-scheduler's choice of node, readiness and endpoints.
extension Simulation {
    /// Karmada's first scheduling of every service, and its pods running and in endpoints at t = 0.
    mutating func placeInitialReplicas() {
        for (s, service) in services.enumerated() {
            let policy = policies[s]
            let candidates = ReplicaDivision.candidates(for: policy, in: plan.topology)
            let division = ReplicaDivision.divide(replicas: service.replicas, over: candidates, mode: policy?.replicaScheduling.mode ?? ReplicaScheduling().mode)
            var binding = BindingState(replicas: Array(repeating: 0, count: clusters.count))
            for (c, cluster) in clusters.enumerated() { binding.replicas[c] = division[cluster.name] ?? 0 }
            bindings.append(binding)
            for c in clusters.indices {
                for _ in 0..<binding.replicas[c] {
                    guard let p = createPod(service: s, cluster: c) else { continue }
                    pods[p].phase = .running
                    pods[p].inEndpoints = true
                }
            }
        }
    }

    /// kube-scheduler: the schedulable node (Ready, untainted) with the fewest pods of the service,
    /// in the zone with the fewest; nil when the cluster has no room.
    func chooseNode(service s: Int, cluster c: Int) -> Int? {
        var perZone: [Int: Int] = [:]
        var perNode: [Int: Int] = [:]
        for pod in pods where pod.service == s && pod.cluster == c && pod.phase != .gone {
            perZone[pod.zone, default: 0] += 1
            perNode[pod.node, default: 0] += 1
        }
        var best: (node: Int, key: (Int, Int, Int))?
        for n in clusters[c].nodes {
            let node = nodes[n]
            guard node.condition == .ready, !node.noSchedule, node.pods < node.capacity else { continue }
            let key = (perZone[node.zone] ?? 0, perNode[n] ?? 0, node.pods)
            if let current = best, current.key <= key { continue }
            best = (n, key)
        }
        return best?.node
    }

    /// Creates a pod of `s` in cluster `c` on the node kube-scheduler picks; nil (and pending) when there is no room.
    @discardableResult
    mutating func createPod(service s: Int, cluster c: Int) -> Int? {
        guard let n = chooseNode(service: s, cluster: c) else {
            pendingPods.append((s, c))
            return nil
        }
        let p = pods.count
        let name = "\(services[s].name)-\(clusters[c].name)-\(p)"
        var pod = PodState(name: name, service: s, cluster: c, node: n, zone: nodes[n].zone)
        pod.tokens = services[s].rateLimit?.maxTokens ?? 0
        pod.lastFill = now
        pods.append(pod)
        nodes[n].pods += 1
        return p
    }

    /// Creates a pod now and schedules its readiness after the service's startup time.
    mutating func startPod(service s: Int, cluster c: Int, reason: String) {
        guard let p = createPod(service: s, cluster: c) else {
            event(.podCreated, "\(services[s].name) in \(clusters[c].name)", "pending: no schedulable node (\(reason))")
            return
        }
        event(.podCreated, pods[p].name, "on \(nodes[pods[p].node].name) (\(reason))")
        if controlPlaneLog != nil, let node = plan.topology.node(named: nodes[pods[p].node].name) {
            logChange(pods[p].name, .created(service: services[s].name, node: node.name, locality: node.locality))
        }
        schedule(now + services[s].startupTime.microseconds, .podReady(pod: p))
    }

    mutating func podBecameReady(_ p: Int) {
        guard pods[p].phase == .starting, nodes[pods[p].node].health == .up, pods[p].restartingUntil <= now else { return }
        pods[p].phase = .running
        event(.podReady, pods[p].name)
        logChange(pods[p].name, .ready)
        schedule(now + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: true))
        finishGracefulEvictionsIfHealthy(service: pods[p].service)
    }

    /// Deletes a pod (its endpoint leaves after the EndpointSlice update and istiod's push).
    mutating func deletePod(_ p: Int, kind: TimelineEvent.Kind, detail: String) {
        guard pods[p].phase != .gone else { return }
        pods[p].phase = .gone
        nodes[pods[p].node].pods -= 1
        event(kind, pods[p].name, detail)
        logChange(pods[p].name, .deleted)
        if pods[p].inEndpoints {
            schedule(now + timings.endpointSliceDelay.microseconds + timings.istiodPushDelay.microseconds, .endpoint(pod: p, add: false))
        }
    }

    /// Applies an endpoint change that istiod pushed; frozen while the pod's cluster is unreachable
    /// (istiod keeps the last endpoints it read from that cluster's API server). A pod that is
    /// restarting is not added: it reports ready only once its restart is over.
    mutating func setEndpoint(pod p: Int, add: Bool) {
        guard clusters[pods[p].cluster].reachable else { return }
        let wanted = add && pods[p].phase == .running && pods[p].restartingUntil <= now
        guard pods[p].inEndpoints != wanted else { return }
        pods[p].inEndpoints = wanted
        event(wanted ? .endpointsAdded : .endpointsDropped, pods[p].name, services[pods[p].service].name)
        logChange(pods[p].name, .endpoint(added: wanted))
        rebuildEnvoys(service: pods[p].service)
    }

    /// Keeps a control-plane decision when the run records them.
    mutating func logChange(_ pod: String, _ kind: ControlPlaneChange.Kind) {
        guard controlPlaneLog != nil else { return }
        let change = ControlPlaneChange(at: time(now), pod: pod, kind: kind)
        controlPlaneLog?.append(change)
    }

    /// Places pods that found no node earlier, now that one may have room.
    mutating func retryPendingPods() {
        let waiting = pendingPods
        pendingPods.removeAll()
        for (s, c) in waiting { startPod(service: s, cluster: c, reason: "was pending") }
    }
}
