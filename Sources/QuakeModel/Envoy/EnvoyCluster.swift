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
        /// Requests in flight to this host (for LEAST_REQUEST).
        var active = 0
    }

    /// Hosts grouped by priority with the load each priority takes.
    struct View {
        var byPriority: [[Int]] = []
        var healthyByPriority: [[Int]] = []
        /// Cumulative load per priority (0–100).
        var cumulativeLoad: [Double] = []
        var panic: [Bool] = []
        var roundRobin: [Int] = []
        /// With locality weights: per priority, each zone's hosts (healthy ones) and its effective weight.
        var localities: [[(all: [Int], healthy: [Int], weight: Double)]] = []
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
        view.byPriority = levels.map { level in members.filter { hosts[$0].priority == level } }
        view.healthyByPriority = view.byPriority.map { $0.filter { !hosts[$0].outlier.ejected } }
        view.roundRobin = Array(repeating: 0, count: levels.count)
        let healthy = view.healthyByPriority.map(\.count), total = view.byPriority.map(\.count)
        let loads = PriorityLoad.loads(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        let totalHealth = PriorityLoad.totalHealth(healthy: healthy, total: total, overprovisioningFactor: overprovisioning)
        var sum = 0.0
        view.cumulativeLoad = loads.map { sum += $0; return sum }
        view.panic = zip(healthy, total).map { h, t in t > 0 && totalHealth < 100 && Double(h) * 100 / Double(t) < panicThreshold }
        // With every host ejected, panic (if on) balances over all hosts of P0.
        if sum == 0, panicThreshold > 0, !view.byPriority.isEmpty {
            view.cumulativeLoad = view.byPriority.map { _ in 100 }
            view.panic = view.byPriority.map { _ in true }
        }
        if let zoneWeights {
            // Envoy's locality-weighted balancing: weight × min(100, 1.4·100·healthy/total) per locality.
            view.localities = view.byPriority.map { members in
                let zones = Array(Set(members.map { hosts[$0].zone })).sorted()
                return zones.compactMap { zone in
                    let inZone = members.filter { hosts[$0].zone == zone }
                    let healthy = inZone.filter { !hosts[$0].outlier.ejected }
                    let weight = zoneWeights[zone] * min(100, overprovisioning * 100 * Double(healthy.count) / Double(inZone.count))
                    return weight > 0 ? (inZone, healthy, weight) : nil
                }
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

    private static func pick(in view: inout View, hosts: [Host], lb: LoadBalancer, rng: inout RandomSource, excluded: [Int], rePicks: Int) -> Int? {
        guard let last = view.cumulativeLoad.last, last > 0 else { return nil }
        var attempt = 0
        var choice: Int?
        repeat {
            let roll = rng.unit() * last
            var priority = 0
            while priority < view.cumulativeLoad.count - 1 && roll >= view.cumulativeLoad[priority] { priority += 1 }
            var pool = view.panic[priority] ? view.byPriority[priority] : view.healthyByPriority[priority]
            if !view.localities.isEmpty {
                let localities = view.localities[priority]
                let total = localities.reduce(0) { $0 + $1.weight }
                guard total > 0 else { return choice }
                var pickWeight = rng.unit() * total
                var chosen = localities[localities.count - 1]
                for locality in localities {
                    if pickWeight < locality.weight {
                        chosen = locality
                        break
                    }
                    pickWeight -= locality.weight
                }
                pool = view.panic[priority] ? chosen.all : chosen.healthy
            }
            guard !pool.isEmpty else { return choice }
            let picked: Int
            switch lb {
            case .roundRobin, .passthrough:
                view.roundRobin[priority] &+= 1
                picked = pool[view.roundRobin[priority] % pool.count]
            case .random:
                picked = pool[rng.below(pool.count)]
            case .leastRequest:
                let a = pool[rng.below(pool.count)]
                let b = pool[rng.below(pool.count)]
                picked = hosts[b].active < hosts[a].active ? b : a
            }
            choice = picked
            attempt += 1
            if !excluded.contains(picked) { return picked }
        } while attempt <= rePicks
        return choice
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
}

/// What a response did to a host's outlier state.
enum OutlierChange { case none, ejected, blocked }
