import QuakeCore

/// One client locality's Envoy view of one service: its hosts by priority, their outlier state,
/// and the load balancer (SEMANTICS.md §4.2).
struct EnvoyCluster {
    struct Host {
        let pod: Int
        let priority: Int
        var outlier = OutlierHost()
        /// Requests in flight to this host (for LEAST_REQUEST).
        var active = 0
    }

    let clientZone: Int
    let service: Int
    private(set) var hosts: [Host] = []
    /// Host indices per priority.
    private var byPriority: [[Int]] = []
    /// Non-ejected host indices per priority.
    private var healthyByPriority: [[Int]] = []
    /// Cumulative load per priority (0–100), recomputed when health changes.
    private var cumulativeLoad: [Double] = []
    private var panicByPriority: [Bool] = []
    private var roundRobin: [Int] = []
    private(set) var ejectedCount = 0
    /// Bumped whenever the host set changes, so a host index taken earlier can be checked.
    private(set) var generation: Int32 = 0
    /// Requests and retries in flight through this Envoy to the service.
    var activeRequests = 0
    var activeRetries = 0

    init(clientZone: Int, service: Int) {
        self.clientZone = clientZone
        self.service = service
    }

    /// Replaces the host set with `pods` at their priorities, keeping the outlier state of hosts that stay.
    mutating func setHosts(_ pods: [(pod: Int, priority: Int)], overprovisioning: Double, panicThreshold: Double) {
        generation &+= 1
        var previous: [Int: Host] = [:]
        for h in hosts { previous[h.pod] = h }
        hosts = pods.map { entry in
            var host = Host(pod: entry.pod, priority: entry.priority)
            if let old = previous[entry.pod] {
                host.outlier = old.outlier
                host.active = old.active
            }
            return host
        }
        let levels = (hosts.map(\.priority).max() ?? -1) + 1
        byPriority = Array(repeating: [], count: levels)
        for (i, h) in hosts.enumerated() { byPriority[h.priority].append(i) }
        roundRobin = Array(repeating: 0, count: levels)
        refreshHealth(overprovisioning: overprovisioning, panicThreshold: panicThreshold)
    }

    /// Recomputes healthy hosts, priority loads and panic after an ejection or return.
    mutating func refreshHealth(overprovisioning: Double, panicThreshold: Double) {
        healthyByPriority = byPriority.map { $0.filter { !hosts[$0].outlier.ejected } }
        ejectedCount = hosts.reduce(0) { $0 + ($1.outlier.ejected ? 1 : 0) }
        let healthy = healthyByPriority.map(\.count), total = byPriority.map(\.count)
        let loads = PriorityLoad.loads(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        let totalHealth = PriorityLoad.totalHealth(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        var sum = 0.0
        cumulativeLoad = loads.map { sum += $0; return sum }
        panicByPriority = zip(healthy, total).map { h, t in
            t > 0 && totalHealth < 100 && Double(h) * 100 / Double(t) < panicThreshold
        }
        // With every host ejected, panic (if on) balances over all hosts of P0.
        if sum == 0, panicThreshold > 0, !byPriority.isEmpty {
            cumulativeLoad = byPriority.map { _ in 100 }
            panicByPriority = byPriority.map { _ in true }
        }
    }

    /// Picks a host index, or nil when no host may be chosen (503 UH).
    ///
    /// `excluded` holds hosts already tried (`previous_hosts`); up to `rePicks` fresh picks avoid them.
    /// `allowed`, when given, restricts the choice to hosts whose pod passes it (weighted subsets).
    mutating func pick(lb: LoadBalancer, rng: inout RandomSource, excluded: [Int], rePicks: Int, allowed: ((Int) -> Bool)?) -> Int? {
        guard let last = cumulativeLoad.last, last > 0 else { return nil }
        var attempt = 0
        var choice: Int?
        repeat {
            let roll = rng.unit() * last
            var priority = 0
            while priority < cumulativeLoad.count - 1 && roll >= cumulativeLoad[priority] { priority += 1 }
            let pool = panicByPriority[priority] ? byPriority[priority] : healthyByPriority[priority]
            let picked: Int?
            if let allowed {
                picked = choose(from: pool.filter { allowed(hosts[$0].pod) }, priority: priority, lb: lb, rng: &rng)
            } else {
                picked = choose(from: pool, priority: priority, lb: lb, rng: &rng)
            }
            guard let picked else { return choice }
            choice = picked
            attempt += 1
            if !excluded.contains(picked) { return picked }
        } while attempt <= rePicks
        return choice
    }

    private mutating func choose(from candidates: [Int], priority: Int, lb: LoadBalancer, rng: inout RandomSource) -> Int? {
        guard !candidates.isEmpty else { return nil }
        switch lb {
        case .roundRobin, .passthrough:
            roundRobin[priority] &+= 1
            return candidates[roundRobin[priority] % candidates.count]
        case .random:
            return candidates[rng.below(candidates.count)]
        case .leastRequest:
            let a = candidates[rng.below(candidates.count)]
            let b = candidates[rng.below(candidates.count)]
            return hosts[b].active < hosts[a].active ? b : a
        }
    }

    mutating func startRequest(host: Int) {
        hosts[host].active += 1
    }

    /// The index of the host of `pod`: `host` itself while the host set is still `generation`.
    func index(ofPod pod: Int, host: Int, generation: Int32) -> Int? {
        if generation == self.generation, host < hosts.count, hosts[host].pod == pod { return host }
        return hosts.firstIndex { $0.pod == pod }
    }

    mutating func finishRequest(host i: Int) {
        hosts[i].active = max(0, hosts[i].active - 1)
    }

    /// Counts a response for outlier detection; returns what happened to the host.
    mutating func recordOutcome(host i: Int, status: Int, localOriginFailure: Bool, now: Int64, config: OutlierDetection) -> OutlierChange {
        guard hosts[i].outlier.record(status: status, localOriginFailure: localOriginFailure, config: config) == .tryEject else { return .none }
        let allowed = Double(100 * ejectedCount) / Double(max(1, hosts.count)) < config.maxEjectionPercent.percent
        guard allowed else {
            if hosts[i].outlier.blockedReported { return .none }
            hosts[i].outlier.blockedReported = true
            return .blocked
        }
        hosts[i].outlier.eject(now: now, config: config)
        return .ejected
    }

    /// One outlier-detection sweep; returns the pods that came back.
    mutating func sweep(now: Int64, config: OutlierDetection) -> [Int] {
        var returned: [Int] = []
        for i in hosts.indices where hosts[i].outlier.sweep(now: now, config: config) { returned.append(hosts[i].pod) }
        return returned
    }

    /// The outlier state of a pod's host, if this Envoy has it.
    func outlier(ofPod pod: Int) -> OutlierHost? { hosts.first { $0.pod == pod }?.outlier }

    /// Healthy (non-ejected) hosts per priority and the share of load each priority takes, for reports.
    var priorityLoads: [Double] {
        var previous = 0.0
        return cumulativeLoad.map { c in defer { previous = c }; return c - previous }
    }
}

/// What a response did to a host's outlier state.
enum OutlierChange { case none, ejected, blocked }
