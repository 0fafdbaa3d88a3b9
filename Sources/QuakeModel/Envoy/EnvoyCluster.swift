import QuakeCore

/// One client locality's Envoy view of one service: its hosts by priority, their outlier state,
/// and the load balancer (SEMANTICS.md §4.2).
///
/// A request restricted to some clusters (a subset of per-cluster endpoints, as route weights
/// over `topology.istio.io/cluster` subsets do) is balanced over a view of just those hosts, with
/// its own priority load, as Envoy balances over a subset cluster.
struct EnvoyCluster {
    struct Host {
        let pod: Int
        let priority: Int
        let cluster: Int
        let zone: Int
        var outlier = OutlierHost()
        /// Requests in flight on this host (Envoy's `rq_active`, which LEAST_REQUEST compares): an
        /// attempt counts from the moment its request goes out on a connection to the host (after a
        /// retry's back-off) until it ends; an attempt whose connection failed never counts.
        var active = 0
    }

    /// Hosts grouped by priority with the load each priority takes, flat: picking a host reads a
    /// few plain values and touches no nested array.
    struct View {
        /// A run of host indices in `members`.
        struct Pool {
            var start: Int32 = 0
            var count: Int32 = 0
        }

        /// One zone's hosts in a priority, with its effective weight (locality-weighted balancing).
        struct Locality {
            var all: Pool
            var healthy: Pool
            var weight: Double
        }

        /// One priority level.
        struct Level {
            /// Cumulative load up to this priority (0–100).
            var cumulativeLoad: Double
            var panic: Bool
            var roundRobin = 0
            var all: Pool
            var healthy: Pool
            /// With locality weights: this priority's localities in `localities`, and their total weight.
            var localities = Pool()
            var localityWeight = 0.0
        }

        var levels: ContiguousArray<Level> = []
        var members: ContiguousArray<Int32> = []
        var localities: ContiguousArray<Locality> = []
        /// Whether hosts are chosen by locality weight first.
        var weighted = false

        mutating func append(_ hosts: [Int]) -> Pool {
            let pool = Pool(start: Int32(members.count), count: Int32(hosts.count))
            members.append(contentsOf: hosts.lazy.map { Int32($0) })
            return pool
        }
    }

    let clientZone: Int
    let service: Int
    private(set) var hosts: [Host] = []
    private var all = View()
    /// Views of hosts in a set of clusters (bit c for cluster c), built when first asked for.
    private var views: [(clusters: UInt64, view: View)] = []
    /// Istio `distribute` weights by endpoint zone for this client (nil: no locality weighting).
    private var zoneWeights: [Double]?
    private var overprovisioning = 1.4
    private var panicThreshold = 0.0
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

    /// Replaces the host set, keeping the outlier state and load of hosts that stay.
    mutating func setHosts(_ entries: [(pod: Int, priority: Int, cluster: Int, zone: Int)], zoneWeights: [Double]? = nil, overprovisioning: Double, panicThreshold: Double) {
        generation &+= 1
        var previous: [Int: Host] = [:]
        for h in hosts { previous[h.pod] = h }
        hosts = entries.map { entry in
            var host = Host(pod: entry.pod, priority: entry.priority, cluster: entry.cluster, zone: entry.zone)
            if let old = previous[entry.pod] {
                host.outlier = old.outlier
                host.active = old.active
            }
            return host
        }
        self.zoneWeights = zoneWeights
        self.overprovisioning = overprovisioning
        self.panicThreshold = panicThreshold
        refreshHealth()
    }

    /// Recomputes healthy hosts, priority loads and panic after an ejection or return.
    mutating func refreshHealth() {
        ejectedCount = hosts.reduce(0) { $0 + ($1.outlier.ejected ? 1 : 0) }
        all = makeView(Array(hosts.indices))
        views.removeAll(keepingCapacity: true)
    }

    private func makeView(_ members: [Int]) -> View {
        var view = View()
        let levels = Array(Set(members.map { hosts[$0].priority })).sorted()
        let byPriority = levels.map { level in members.filter { hosts[$0].priority == level } }
        let healthyByPriority = byPriority.map { $0.filter { !hosts[$0].outlier.ejected } }
        let healthy = healthyByPriority.map(\.count), total = byPriority.map(\.count)
        let loads = PriorityLoad.loads(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        let totalHealth = PriorityLoad.totalHealth(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        var sum = 0.0
        var cumulativeLoad = loads.map { sum += $0; return sum }
        var panic = zip(healthy, total).map { h, t in t > 0 && totalHealth < 100 && Double(h) * 100 / Double(t) < panicThreshold }
        // With every host ejected, panic (if on) balances over all hosts of P0.
        if sum == 0, panicThreshold > 0, !byPriority.isEmpty {
            cumulativeLoad = byPriority.map { _ in 100 }
            panic = byPriority.map { _ in true }
        }
        for i in levels.indices {
            let all = view.append(byPriority[i]), healthyPool = view.append(healthyByPriority[i])
            view.levels.append(View.Level(cumulativeLoad: cumulativeLoad[i], panic: panic[i], all: all, healthy: healthyPool))
        }
        if let zoneWeights {
            // Envoy's locality-weighted balancing: weight × min(100, 1.4·100·healthy/total) per locality.
            view.weighted = true
            for (i, members) in byPriority.enumerated() {
                let start = view.localities.count
                var weights = 0.0
                for zone in Array(Set(members.map { hosts[$0].zone })).sorted() {
                    let inZone = members.filter { hosts[$0].zone == zone }
                    let healthy = inZone.filter { !hosts[$0].outlier.ejected }
                    let weight = zoneWeights[zone] * min(100, overprovisioning * 100 * Double(healthy.count) / Double(inZone.count))
                    guard weight > 0 else { continue }
                    let all = view.append(inZone), healthyPool = view.append(healthy)
                    view.localities.append(View.Locality(all: all, healthy: healthyPool, weight: weight))
                    weights += weight
                }
                view.levels[i].localities = View.Pool(start: Int32(start), count: Int32(view.localities.count - start))
                view.levels[i].localityWeight = weights
            }
        }
        return view
    }

    /// Picks a host index, or nil when no host may be chosen (503 UH).
    ///
    /// `excluded` holds hosts already tried (`previous_hosts`); up to `rePicks` fresh picks avoid them.
    /// `clusters`, when given, restricts the choice to hosts in those clusters (bit c for cluster c).
    mutating func pick(lb: LoadBalancer, rng: inout RandomSource, excluded: [Int], rePicks: Int, clusters: UInt64?) -> Int? {
        if let clusters {
            let i = views.firstIndex { $0.clusters == clusters } ?? {
                views.append((clusters, makeView(hosts.indices.filter { clusters & (1 << UInt64(hosts[$0].cluster)) != 0 })))
                return views.count - 1
            }()
            return Self.pick(in: &views[i].view, hosts: hosts, lb: lb, rng: &rng, excluded: excluded, rePicks: rePicks)
        }
        return Self.pick(in: &all, hosts: hosts, lb: lb, rng: &rng, excluded: excluded, rePicks: rePicks)
    }

    @inline(__always)
    private static func pick(in view: inout View, hosts: [Host], lb: LoadBalancer, rng: inout RandomSource, excluded: [Int], rePicks: Int) -> Int? {
        let levelCount = view.levels.count
        guard levelCount > 0 else { return nil }
        let last = view.levels[levelCount - 1].cumulativeLoad
        guard last > 0 else { return nil }
        var attempt = 0
        var choice: Int?
        repeat {
            let roll = rng.unit() * last
            var priority = 0
            while priority < levelCount - 1 && roll >= view.levels[priority].cumulativeLoad { priority += 1 }
            let level = view.levels[priority]
            var pool = level.panic ? level.all : level.healthy
            if view.weighted {
                let total = level.localityWeight
                guard total > 0 else { return choice }
                var pickWeight = rng.unit() * total
                let first = Int(level.localities.start), end = first + Int(level.localities.count)
                var chosen = view.localities[end - 1]
                for l in first..<end {
                    let locality = view.localities[l]
                    if pickWeight < locality.weight {
                        chosen = locality
                        break
                    }
                    pickWeight -= locality.weight
                }
                pool = level.panic ? chosen.all : chosen.healthy
            }
            let count = Int(pool.count), start = Int(pool.start)
            guard count > 0 else { return choice }
            let picked: Int
            switch lb {
            case .roundRobin, .passthrough:
                let position = level.roundRobin &+ 1
                view.levels[priority].roundRobin = position
                picked = Int(view.members[start + position % count])
            case .random:
                picked = Int(view.members[start + rng.below(count)])
            case .leastRequest:
                let a = Int(view.members[start + rng.below(count)])
                let b = Int(view.members[start + rng.below(count)])
                picked = hosts[b].active < hosts[a].active ? b : a
            }
            choice = picked
            attempt += 1
            if !excluded.contains(picked) { return picked }
        } while attempt <= rePicks
        return choice
    }

    /// What starting an attempt came to.
    enum Start {
        case started(host: Int, pod: Int, generation: Int32)
        /// No host may be chosen (503 UH).
        case noHost
        /// The circuit breaker is open (503 UO).
        case overflow
    }

    /// Starts an attempt: picks a host (see `pick`), checks the circuit breaker (`overflowAt`
    /// requests in flight), and counts the attempt in flight on the Envoy (and as a retry). The
    /// host's own count waits for `requestSent`. The generation returned finds the host again later.
    ///
    /// Counting at the start, before the attempt's own downstream calls are simulated, is the same
    /// as counting after them: calls never come back to a service (the plan rejects call cycles),
    /// so nothing in between reads this Envoy.
    @inline(__always)
    mutating func start(lb: LoadBalancer, rng: inout RandomSource, excluded: [Int], rePicks: Int, clusters: UInt64?, overflowAt: Int, isRetry: Bool) -> Start {
        guard let host = pick(lb: lb, rng: &rng, excluded: excluded, rePicks: rePicks, clusters: clusters) else { return .noHost }
        guard activeRequests < overflowAt else { return .overflow }
        activeRequests += 1
        if isRetry { activeRetries += 1 }
        return .started(host: host, pod: hosts[host].pod, generation: generation)
    }

    /// An attempt's request goes out on a connection to its host: the host has one more request in
    /// flight (Envoy counts `rq_active` when the connection pool attaches the stream, so an attempt
    /// refused at connect never does).
    @inline(__always)
    mutating func requestSent(pod: Int, host: Int, generation: Int32) {
        guard let i = index(pod: pod, host: host, generation: generation) else { return }
        hosts[i].active += 1
    }

    /// An attempt ends: it leaves the counts in flight (the host's only if its request went out,
    /// `sent`) and, with outlier detection configured, counts for it (see `recordOutcome`). A host
    /// that left the set meanwhile counts nothing.
    @inline(__always)
    mutating func finish(pod: Int, host: Int, generation: Int32, isRetry: Bool, sent: Bool, status: Int, localOriginFailure: Bool, now: Int64, config: OutlierDetection?) -> OutlierChange {
        activeRequests = max(0, activeRequests - 1)
        if isRetry { activeRetries = max(0, activeRetries - 1) }
        guard let i = index(pod: pod, host: host, generation: generation) else { return .none }
        if sent { hosts[i].active = max(0, hosts[i].active - 1) }
        guard let config else { return .none }
        return recordOutcome(host: i, status: status, localOriginFailure: localOriginFailure, now: now, config: config)
    }

    /// The index of a pod's host, from the index it had in `generation` (nil once it left the set).
    @inline(__always)
    private func index(pod: Int, host: Int, generation: Int32) -> Int? {
        if generation == self.generation, host < hosts.count, hosts[host].pod == pod { return host }
        return hosts.firstIndex { $0.pod == pod }
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
}

/// What a response did to a host's outlier state.
enum OutlierChange { case none, ejected, blocked }
