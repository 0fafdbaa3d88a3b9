import QuakeCore

/// The discrete-event simulation of one plan: Kubernetes node lifecycle, Karmada failover and the
/// Envoy data plane, request by request, in virtual time (microseconds).
///
/// Single-threaded and deterministic: the same plan and seed give the same timeline.
struct Simulation {
    let plan: Plan
    let timings: Timings
    var rng: RandomSource
    var now: Int64 = 0
    let end: Int64

    var nodes: [NodeState] = []
    var pods: [PodState] = []
    var clusters: [ClusterState] = []
    var zones: [ZoneState] = []
    var bindings: [BindingState] = []
    /// Per node: how many active faults crash or hang it.
    var crashFaults: [Int] = []
    var hangFaults: [Int] = []
    /// Per cluster: how many active faults take it down.
    var lostFaults: [Int] = []
    var pendingPods: [(service: Int, cluster: Int)] = []

    let services: [ServiceSpec]
    /// Per service: what its requests read (error fraction, balancer, circuit-breaker limits, calls).
    var serviceTraffic: ContiguousArray<ServiceTraffic> = []
    /// Every service's downstream calls, one run per service (`ServiceTraffic.callsStart`).
    var callTargets: ContiguousArray<Int> = []
    var routes: [RouteState] = []
    /// Each service's time distribution, as a row of quantiles.
    var serviceTimes = QuantileTable([])
    /// Round-trip time between zones, µs, indexed `a * zoneCount + b`.
    var roundTrip: [Int64] = []
    var outlier: [OutlierDetection?] = []
    var panicThresholds: [Double] = []
    var policies: [PropagationPolicy?] = []
    /// Raw Istio priority per service, client zone and endpoint zone.
    var rawPriority: [[[Int]]] = []
    var envoys: [EnvoyCluster] = []
    /// Per service and client zone: Istio `distribute` weights by endpoint zone, if any.
    var localityWeights: [[[Double]?]] = []
    var partitions: [(Set<Int>, Set<Int>)] = []
    var nextBindingEviction: Int64 = 0

    var events = EventQueue<ModelEvent>()
    var completions = EventQueue<Completion>()
    var timeline: Timeline
    var recorder: TrafficRecorder
    let windowLength: Int64
    let windowCount: Int
    var seriesCache: [Int32] = []
    var latencyCache: [Int32] = []
    var requestCount = 0
    /// The control plane's decisions about pods, kept only when asked (`ModelRun.controlPlaneChanges`).
    var controlPlaneLog: [ControlPlaneChange]?
    /// Request paths of the plan's loads, then of its service probes (downstream calls use "/").
    lazy var loadPaths: [String] = plan.traffic.map(\.path) + plan.probes.compactMap { probe in
        if case .service = probe.target { return probe.path }
        return nil
    }
    let accessLog: AccessLogSink?
    /// Whether `accessLog` is set (read on every request, without touching the reference).
    let writesAccessLog: Bool

    init(plan: Plan, seed: UInt64, accessLog: AccessLogSink?) {
        self.plan = plan
        self.timings = plan.controlPlane.timings
        self.rng = RandomSource(seed: seed)
        self.end = plan.schedule.duration.microseconds
        self.services = plan.services
        self.accessLog = accessLog
        self.writesAccessLog = accessLog != nil
        let windowCount = max(1, Int((plan.schedule.duration.microseconds + plan.target.window.microseconds - 1) / plan.target.window.microseconds))
        self.timeline = Timeline(window: plan.target.window, windowCount: windowCount)
        self.recorder = TrafficRecorder(windowCount: windowCount)
        self.windowLength = plan.target.window.microseconds
        self.windowCount = windowCount
        buildWorld()
        buildServices()
        placeInitialReplicas()
        for s in services.indices { rebuildEnvoys(service: s) }
        scheduleSchedule()
    }

    // MARK: Lookups

    var zoneCount: Int { zones.count }

    func envoyIndex(zone: Int, service: Int) -> Int { zone * services.count + service }

    func serviceIndex(_ name: String) -> Int? { services.firstIndex { $0.name == name } }

    func clusterIndex(_ name: String) -> Int? { clusters.firstIndex { $0.name == name } }

    func zoneIndex(of locality: Locality) -> Int? { zones.firstIndex { $0.locality == locality } }

    func time(_ t: Int64) -> TimeSpan { TimeSpan(microseconds: t) }

    mutating func event(_ kind: TimelineEvent.Kind, _ subject: String, _ detail: String = "") {
        timeline.add(TimelineEvent(at: time(now), kind: kind, subject: subject, detail: detail))
    }

    mutating func schedule(_ at: Int64, _ e: ModelEvent) {
        guard at <= end else { return }
        events.push(max(at, now), e)
    }

    // MARK: Building

    private mutating func buildWorld() {
        for region in plan.topology.regions {
            for cluster in region.clusters {
                var state = ClusterState(name: cluster.name, region: region.name, syncMode: cluster.syncMode)
                let ci = clusters.count
                for zone in cluster.zones {
                    var z = ZoneState(cluster: ci, locality: Locality(region: region.name, cluster: cluster.name, zone: zone.name))
                    let zi = zones.count
                    for node in zone.nodes {
                        z.nodes.append(nodes.count)
                        state.nodes.append(nodes.count)
                        nodes.append(NodeState(name: node.name, cluster: ci, zone: zi, capacity: node.podCapacity))
                    }
                    state.zones.append(zi)
                    zones.append(z)
                }
                clusters.append(state)
            }
        }
        crashFaults = Array(repeating: 0, count: nodes.count)
        hangFaults = crashFaults
        lostFaults = Array(repeating: 0, count: clusters.count)
    }

    private mutating func buildServices() {
        serviceTimes = QuantileTable(services.map(\.serviceTime))
        roundTrip = zones.flatMap { a in zones.map { b in 2 * plan.topology.latency.between(a.locality, b.locality).microseconds } }
        for s in services {
            let rule = plan.destinationRule(for: s.name)
            routes.append(RouteState(service: s.name, plan: plan, clusterIndex: clusterIndex))
            outlier.append(rule?.outlierDetection)
            let calls = s.calls.compactMap(serviceIndex)
            serviceTraffic.append(ServiceTraffic(s, pool: rule?.connectionPool ?? ConnectionPool(), loadBalancer: rule?.effectiveLoadBalancer ?? .leastRequest, callsStart: callTargets.count, callsCount: calls.count))
            callTargets.append(contentsOf: calls)
            panicThresholds.append(rule?.panicThreshold.percent ?? 50)
            policies.append(plan.propagationPolicy(for: s))
            let labels = zones.map { LocalityPriority.labels(of: $0.locality) }
            rawPriority.append(zones.indices.map { client in
                zones.indices.map { endpoint in
                    LocalityPriority.rawPriority(client: zones[client].locality, endpoint: zones[endpoint].locality, clientLabels: labels[client], endpointLabels: labels[endpoint], setting: rule?.locality, hasOutlierDetection: rule?.outlierDetection != nil)
                }
            })
        }
        localityWeights = services.map { s in
            let setting = plan.destinationRule(for: s.name)?.locality
            return zones.map { Simulation.distributeWeights(client: $0.locality, zones: zones.map(\.locality), setting: setting) }
        }
        envoys = zones.indices.flatMap { z in services.indices.map { EnvoyCluster(clientZone: z, service: $0) } }
        seriesCache = Array(repeating: -1, count: services.count * zones.count * (clusters.count + 1))
        latencyCache = Array(repeating: -1, count: services.count * zones.count)
    }

    private mutating func scheduleSchedule() {
        for (i, f) in plan.schedule.faults.enumerated() {
            schedule(f.at.microseconds, .faultStart(i))
            if case .podKill = f.fault { continue }
            let stop = f.end(experimentDuration: plan.schedule.duration).microseconds
            if stop < end { schedule(stop, .faultEnd(i)) }
        }
        for (p, procedure) in plan.schedule.procedures.enumerated() {
            if !procedure.steps.isEmpty { schedule(procedure.at.microseconds, .step(procedure: p, step: 0)) }
        }
        for w in 0..<timeline.windowCount {
            schedule(min(end, Int64(w + 1) * plan.target.window.microseconds) - 1, .windowEnd(w))
        }
        for (s, od) in outlier.enumerated() {
            guard let od else { continue }
            for z in zones.indices { schedule(od.interval.microseconds, .outlierSweep(envoy: envoyIndex(zone: z, service: s))) }
        }
    }

    // MARK: Running

    /// Runs the plan to its end, calling `progress` with the simulated time every 1 % of it.
    mutating func run(progress: ((TimeSpan) -> Void)? = nil) {
        let progressStep = max(1, end / 100)
        var nextProgress = progress == nil ? Int64.max : progressStep
        var loads = plan.traffic.compactMap { spec -> LoadCursor? in
            guard let zone = zoneIndex(of: spec.from), let service = serviceIndex(spec.to) else { return nil }
            return LoadCursor(spec: spec, zone: zone, service: service, next: 0)
        }
        for i in loads.indices { loads[i].next = loads[i].gap(at: 0, rng: &rng) }
        // Service probes are loads of their own: one check every interval.
        var probes: [(probe: Int, zone: Int, service: Int)] = []
        for (i, probe) in plan.probes.enumerated() {
            guard case let .service(name, from) = probe.target, let zone = zoneIndex(of: from), let service = serviceIndex(name) else { continue }
            probes.append((i, zone, service))
            loads.append(LoadCursor(spec: LoadSpec(from: from, to: name, rate: Rate(perSecond: 1 / probe.interval.seconds), path: probe.path), zone: zone, service: service, next: probe.interval.microseconds))
        }
        let probeStart = loads.count - probes.count
        var probeChecks = plan.probes.map { _ in [UInt32](repeating: 0, count: windowCount) }
        var probePasses = probeChecks
        var arrivals = loads.map(\.next)
        let loadZones = loads.map(\.zone), loadServices = loads.map(\.service)
        while true {
            var nextLoad = -1
            var nextArrival = Int64.max
            for i in arrivals.indices where arrivals[i] < nextArrival {
                nextArrival = arrivals[i]
                nextLoad = i
            }
            let nextEvent = events.nextTime
            let t = min(nextArrival, nextEvent)
            // Attempts that finish first (or at the same µs) complete first; completing schedules
            // neither events nor arrivals, so they drain in one go.
            while completions.nextTime <= t && completions.nextTime < end, let c = completions.pop() {
                now = c.time
                complete(c.payload)
            }
            guard t < end else { break }
            now = t
            if t >= nextProgress {
                progress?(TimeSpan(microseconds: t))
                nextProgress = t + progressStep
            }
            if nextEvent == t, let e = events.pop() {
                handle(e.payload)
            } else if nextLoad >= probeStart {
                let (p, zone, service) = probes[nextLoad - probeStart]
                let result = call(service: service, fromZone: zone, at: t, load: nextLoad)
                let spec = plan.probes[p]
                let w = min(windowCount - 1, Int(t / windowLength))
                probeChecks[p][w] += 1
                if result.status == spec.expectStatus && result.duration <= spec.timeout.microseconds { probePasses[p][w] += 1 }
                arrivals[nextLoad] = t + spec.interval.microseconds
            } else if nextLoad >= 0 {
                call(service: loadServices[nextLoad], fromZone: loadZones[nextLoad], at: t, load: nextLoad)
                arrivals[nextLoad] = t + loads[nextLoad].gap(at: t, rng: &rng)
            }
        }
        now = end
        while let e = events.pop(), e.time <= end { handle(e.payload) }
        recorder.fill(&timeline)
        for (p, probe) in plan.probes.enumerated() where probeChecks[p].contains(where: { $0 > 0 }) {
            timeline.add(ProbeSeries(name: probe.name, checks: probeChecks[p], passes: probePasses[p]))
        }
    }

    mutating func handle(_ e: ModelEvent) {
        switch e {
        case let .faultStart(i): startFault(i)
        case let .faultEnd(i): endFault(i)
        case let .step(p, s): runStep(procedure: p, step: s)
        case let .checkCluster(p, s, deadline): checkCluster(procedure: p, step: s, deadline: deadline)
        case let .upgradeDone(p, c): upgradeDone(procedure: p, cluster: c)
        case let .nodeUnknown(n, epoch): nodeBecameUnknown(n, epoch: epoch)
        case let .nodeReady(n, epoch): nodeBecameReady(n, epoch: epoch)
        case let .endpoint(p, add): setEndpoint(pod: p, add: add)
        case let .zoneTaintTick(z): zoneTaintTick(z)
        case let .evictPods(n, epoch): evictPods(node: n, epoch: epoch)
        case let .podReady(p): podBecameReady(p)
        case let .podRestarted(p, epoch): podRestarted(p, epoch: epoch)
        case let .clusterCondition(c, epoch, condition): clusterConditionChanged(c, epoch: epoch, to: condition)
        case let .clusterNoExecute(c, epoch): clusterNoExecuteTimeout(c, epoch: epoch)
        case let .bindingEvict(s, c): evictBinding(service: s, cluster: c)
        case let .gracefulEnd(s, c): endGracefulEviction(service: s, cluster: c)
        case let .scaleDown(s, c, keep): scaleDown(service: s, cluster: c, keep: keep)
        case let .outlierSweep(e): sweep(envoy: e)
        case let .windowEnd(w): recordReplicas(window: w)
        }
    }

    private mutating func recordReplicas(window w: Int) {
        var ready = Array(repeating: 0, count: services.count * clusters.count)
        for pod in pods where pod.phase == .running { ready[pod.service * clusters.count + pod.cluster] += 1 }
        for s in services.indices {
            for c in clusters.indices {
                let series = timeline.replicaSeries(ReplicaKey(service: services[s].name, cluster: clusters[c].name))
                timeline.setReplicas(series: series, window: w, ready: ready[s * clusters.count + c])
            }
        }
    }
}

/// One open-loop load: its next arrival and how arrivals are spaced.
struct LoadCursor {
    let spec: LoadSpec
    let zone: Int
    let service: Int
    var next: Int64
    /// The mean gap (µs) of a load without a ramp, worked out once; nil while the rate changes.
    private let steadyMean: Double?
    private let poisson: Bool

    init(spec: LoadSpec, zone: Int, service: Int, next: Int64) {
        self.spec = spec
        self.zone = zone
        self.service = service
        self.next = next
        let ramps = spec.rampFrom != nil && spec.rampDuration > .zero
        steadyMean = ramps || spec.rate.perSecond <= 0 ? nil : 1_000_000 / spec.rate.perSecond
        poisson = spec.arrival == .poisson
    }

    /// The gap to the next arrival at `t` (µs): constant or exponential at the load's rate then.
    /// (`mutating` though it changes nothing, so the run loop calls it in place without copying the spec.)
    mutating func gap(at t: Int64, rng: inout RandomSource) -> Int64 {
        let mean: Double
        if let steadyMean {
            mean = steadyMean
        } else {
            let rate = spec.rate(at: TimeSpan(microseconds: t)).perSecond
            guard rate > 0 else { return 100_000 }
            mean = 1_000_000 / rate
        }
        return poisson ? max(1, Int64(rng.exponential(mean: mean).rounded())) : max(1, Int64(mean.rounded()))
    }
}
