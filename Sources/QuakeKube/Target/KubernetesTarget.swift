import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve

/// The `kubernetes` target: the plan's faults made on real clusters through their APIs
/// (SEMANTICS §5) — Quake's NoExecute taint and a cordon on nodes, NoExecute and NoSchedule taints
/// on Karmada Clusters, a fault block on the VirtualService's routes, pods deleted — each change
/// journaled with what undoes it before it is made, and each revert confirmed by reading the
/// object back.
///
/// While the run lasts, informers follow each member's Nodes and EndpointSlices and Karmada's
/// Clusters and ResourceBindings: their Ready transitions, taints, placements, evictions and ready
/// endpoints are the timeline's events, and ready replicas its replica series (``KubeObserver``);
/// pods Quake deleted are events too. With `target.kubernetes.prometheus`, the mesh's traffic and
/// the plan's PromQL values are read from that Prometheus every window (``KubePrometheus``).
public actor KubernetesTarget: LiveTarget {
    public let plan: Plan
    public let system: KubeSystem
    /// The run's id, the value of Quake's taints.
    public let run: String
    let clients: [String: KubeClient]
    private let record: @Sendable (Int, String) throws -> Void
    var planner: KubeFaultPlanner
    var changes: [Int: [KubeChange]] = [:]
    var events: [TimelineEvent] = []
    private var warnings: [String] = []
    private var started = ContinuousClock.now
    private var observer = KubeObserver()
    private var watches: [Task<Void, Never>] = []
    private let http: HTTPClient
    private var prometheus: KubePrometheus?

    /// A target for `plan` on `system`, tainting with `run`'s id, each call limited to `timeout`;
    /// `record` journals each change (fault index, the change's text) before it is made and must
    /// throw if it cannot.
    public init(plan: Plan, system: KubeSystem, run: String, http: HTTPClient = HTTPClient(), timeout: Duration = .seconds(30), record: @escaping @Sendable (Int, String) throws -> Void) throws {
        try KubeFaultPlanner.checkSupported(plan, hasKarmada: system.karmada != nil)
        self.plan = plan
        self.system = system
        self.run = run
        var clients: [String: KubeClient] = [:]
        for (cluster, connection) in system.members { clients[cluster] = KubeClient(connection: connection, http: http, timeout: timeout) }
        if let karmada = system.karmada { clients[KubeChange.karmada] = KubeClient(connection: karmada, http: http, timeout: timeout) }
        self.clients = clients
        self.record = record
        self.http = http
        self.planner = KubeFaultPlanner(plan: plan, nodeMaps: [:])
    }

    /// The API server name holding the plan's Istio resources.
    var istioServer: String {
        system.karmada != nil ? KubeChange.karmada : (system.members.keys.sorted().first ?? "")
    }

    /// Reads each member's nodes (the plan's nodes and zones on them); nothing is changed.
    public func prepare() async throws {
        var maps: [String: KubeNodeMap] = [:]
        for cluster in plan.topology.clusters {
            guard let client = clients[cluster.name] else { continue }
            maps[cluster.name] = try KubeNodeMap(cluster: cluster, nodeList: try await client.get("/api/v1/nodes"))
        }
        planner = KubeFaultPlanner(plan: plan, nodeMaps: maps)
        let observer = KubeObserver()
        self.observer = observer
        var informers: [(KubeInformer, String, KubeObserver.Source)] = plan.topology.clusters.compactMap { cluster in
            clients[cluster.name].map { (KubeInformer(client: $0, path: "/api/v1/nodes"), cluster.name, .nodes) }
        }
        if let karmada = clients[KubeChange.karmada] {
            informers.append((KubeInformer(client: karmada, path: "/apis/cluster.karmada.io/v1alpha1/clusters"), KubeChange.karmada, .clusters))
        }
        informers += Self.workloadInformers(plan: plan, clients: clients)
        // Each informer's first list is the baseline its events are told against; no fault is
        // made before every one has it, or a fault's own taint would be part of the baseline.
        let (listed, signal) = AsyncStream<Void>.makeStream()
        for (informer, server, source) in informers {
            watches.append(Task { await observer.follow(informer, server: server, source: source, listed: { signal.yield() }) })
        }
        var waiting = informers.count, iterator = listed.makeAsyncIterator()
        while waiting > 0, await iterator.next() != nil { waiting -= 1 }
        // Event times count from here, where the Runner starts the schedule's clock.
        started = ContinuousClock.now
        observer.startClock(at: started)
        prometheus = plan.target.prometheusURL.map { KubePrometheus(baseURL: $0, plan: plan, origin: Date(), windowCount: windowCount, http: http) }
    }

    public func inject(_ fault: FaultSpec, index: Int) async throws {
        if case let .podKill(service, count, cluster) = fault.fault {
            try await killPods(service: service, count: count, cluster: cluster, index: index)
            return
        }
        for target in try planner.targets(of: fault.fault) {
            if let (taints, cordon) = KubeFaultPlanner.taints(for: target, run: run, mode: plan.target.kubeNodeFault) {
                try await taint(target, with: taints, cordon: cordon, index: index)
                if case let .node(_, name) = target, plan.target.kubeNodeFault == .drain {
                    let (server, client) = try connection(for: target)
                    try await drain(node: name, server: server, client: client, index: index)
                }
            } else if let block = VirtualServiceChange.faultBlock(fault.fault) {
                let (server, client) = try connection(for: target)
                let (change, patch) = try VirtualServiceChange.inject(block, into: try await client.get(target.path), at: target.path)
                try note(KubeChange(on: server, virtualService: change), index: index)
                _ = try await client.patch(target.path, .merge, patch)
            }
        }
    }

    /// The API server `target` lives on, and the client for it.
    func connection(for target: KubeFaultPlanner.Target) throws -> (server: String, client: KubeClient) {
        let server = target.server(istio: istioServer)
        guard let client = clients[server] else { throw KubeError(code: .config, message: "no connection to \(server)", location: target.path) }
        return (server, client)
    }

    /// Puts `taints` (and a cordon) on `target`'s object as it is now, journaled before the patch.
    func taint(_ target: KubeFaultPlanner.Target, with taints: [KubeTaint], cordon: Bool, index: Int) async throws {
        let (server, client) = try connection(for: target)
        let (change, patch) = try TaintChange.inject(taints, cordon: cordon, into: try await client.get(target.path), at: target.path)
        try note(KubeChange(on: server, taint: change), index: index)
        _ = try await client.patch(target.path, .json, patch)
    }

    public func revert(_ fault: FaultSpec, index: Int) async throws {
        try await revertChanges(of: index)
    }

    /// Reverts what fault or procedure `index` changed, last change first; a change stays listed
    /// until its revert is confirmed, so a failed revert is tried again by the Runner's cleanup or
    /// by rollback.
    func revertChanges(of index: Int, where selected: (KubeChange) -> Bool = { _ in true }) async throws {
        let reverter = KubeChangeReverter(clients: clients)
        while let i = changes[index]?.lastIndex(where: selected), let change = changes[index]?[i] {
            _ = try await reverter.revert(change)
            changes[index]?.remove(at: i)
        }
        if changes[index]?.isEmpty == true { changes[index] = nil }
    }

    public func observe(through window: Int) async throws -> Timeline {
        try await readPrometheus(through: window, final: false)
        return timeline(through: window)
    }

    public func finish() async throws -> Timeline {
        if prometheus != nil {
            // The last window's end is scraped after it: wait for it, as every round does. A run
            // that stopped early is read up to the last window that ended.
            try await Task.sleep(for: .seconds(PrometheusRounds.settling))
            let ended = Int(elapsed.microseconds / max(1, plan.target.window.microseconds))
            try await readPrometheus(through: max(0, min(windowCount, ended) - 1), final: true)
        }
        return timeline(through: windowCount - 1)
    }

    /// What was observed up to the end of `window`.
    private func timeline(through window: Int) -> Timeline {
        var timeline = Timeline(window: plan.target.window, windowCount: windowCount)
        for event in (events + observer.events).sorted(by: { $0.at < $1.at }) { timeline.add(event) }
        timeline.warnings = warnings + observer.warnings
        observer.fillReplicas(&timeline, through: window)
        prometheus?.add(to: &timeline)
        return timeline
    }

    /// One round of Prometheus queries about windows up to `window`; the last one, after the run,
    /// waits longer for its answers.
    private func readPrometheus(through window: Int, final: Bool) async throws {
        guard let reader = prometheus else { return }
        let round = await reader.fetch(through: window, now: Date(), timeout: final ? .seconds(10) : .seconds(2))
        try prometheus?.apply(round, final: final)
    }

    public func teardown() async {
        for watch in watches { watch.cancel() }
        for watch in watches { await watch.value }
        watches = []
    }

    private var windowCount: Int {
        Int((plan.schedule.duration.microseconds + plan.target.window.microseconds - 1) / plan.target.window.microseconds)
    }

    var elapsed: TimeSpan {
        let d = started.duration(to: .now)
        return TimeSpan(microseconds: d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
    }

    /// Journals `change` for fault `index`, then keeps it for the revert.
    func note(_ change: KubeChange, index: Int) throws {
        try record(index, change.journalText)
        changes[index, default: []].append(change)
        if let pod = change.deletedPod { events.append(TimelineEvent(at: elapsed, kind: .podKilled, subject: pod, detail: "deleted on \(change.on)")) }
    }

    /// Evicts every pod of `node` through the eviction API, as `kubectl drain` does (DaemonSet and
    /// static pods stay); a PodDisruptionBudget's refusal (429) is a warning, never forced.
    private func drain(node: String, server: String, client: KubeClient, index: Int) async throws {
        for path in Self.drainable(try await client.get("/api/v1/pods", query: [("fieldSelector", "spec.nodeName=\(node)")])) {
            let parts = path.split(separator: "/")
            let namespace = String(parts[3]), name = String(parts[5])
            try note(KubeChange(on: server, evictedPod: path), index: index)
            do {
                _ = try await client.post(path + "/eviction", ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": .string(name), "namespace": .string(namespace)]])
                events.append(TimelineEvent(at: elapsed, kind: .podEvicted, subject: "\(namespace)/\(name)", detail: "evicted from \(node) (\(server))"))
            } catch let error as KubeError where error.code == .tooManyRequests {
                warnings.append("the eviction of \(namespace)/\(name) from \(node) was refused (a PodDisruptionBudget): \(error.message); not forced")
            } catch let error as KubeError where error.code == .notFound {
                continue
            }
        }
    }

    /// The API paths of the pods in `podList` a drain evicts, as `kubectl drain` picks them:
    /// all but DaemonSet pods and static (mirror) pods.
    public static func drainable(_ podList: KubeJSON) -> [String] {
        (podList["items"]?.array ?? []).compactMap { pod in
            guard let name = pod[path: "metadata.name"]?.string, let namespace = pod[path: "metadata.namespace"]?.string else { return nil }
            let owners = pod[path: "metadata.ownerReferences"]?.array ?? []
            if owners.contains(where: { $0["kind"]?.string == "DaemonSet" }) || pod[path: "metadata.annotations"]?["kubernetes.io/config.mirror"] != nil { return nil }
            return "/api/v1/namespaces/\(namespace)/pods/\(name)"
        }
    }

    /// Deletes `count` of the service's pods (in `cluster`, or in every member), chosen with the
    /// plan's seed among the pods its labels select.
    private func killPods(service: String, count: PodCount, cluster: String?, index: Int) async throws {
        for pod in try await Self.podsToKill(plan: plan, clients: clients, service: service, count: count, cluster: cluster, index: index) {
            guard let client = clients[pod.server] else { continue }
            try note(KubeChange(on: pod.server, deletedPod: pod.path), index: index)
            do {
                try await client.delete(pod.path)
            } catch let error as KubeError where error.code == .notFound {
                continue
            }
        }
    }

    /// The pods a pod-kill fault deletes: `count` of those the service's labels select in its
    /// namespace (in `cluster`, or in every member), sorted by cluster and name and then picked
    /// with the plan's seed and the fault's index, so that a dry run names the same pods.
    static func podsToKill(plan: Plan, clients: [String: KubeClient], service: String, count: PodCount, cluster: String?, index: Int) async throws -> [(server: String, path: String)] {
        guard let spec = plan.service(named: service) else { return [] }
        let selector = spec.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let namespace = plan.target.kubeNamespace
        var pods: [(server: String, path: String)] = []
        for name in plan.topology.clusters.map(\.name) where cluster == nil || cluster == name {
            guard let client = clients[name] else { continue }
            let list = try await client.get("/api/v1/namespaces/\(namespace)/pods", query: [("labelSelector", selector)])
            for item in list["items"]?.array ?? [] {
                if let pod = item[path: "metadata.name"]?.string { pods.append((name, "/api/v1/namespaces/\(namespace)/pods/\(pod)")) }
            }
        }
        pods.sort { ($0.server, $0.path) < ($1.server, $1.path) }
        let wanted: Int
        switch count {
        case let .count(n): wanted = min(n, pods.count)
        case let .percentage(p): wanted = min(pods.count, Int((p.fraction * Double(pods.count)).rounded(.up)))
        }
        var generator = SplitMix64(seed: plan.seed &+ UInt64(index))
        pods.shuffle(using: &generator)
        return Array(pods.prefix(wanted))
    }
}
