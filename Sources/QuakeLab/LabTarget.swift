import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve

/// The `lab` target: real pod processes, one real Envoy per client locality, a real Prometheus, and
/// a control plane that replays the model's Kubernetes and Karmada decisions (`ControlPlaneChange`)
/// on them: new pods are started, deleted ones killed, endpoints published to every Envoy by EDS.
///
/// Faults are real: a crashed node's pods get SIGKILL, a hung node's SIGSTOP (SIGCONT on revert),
/// zone, cluster and region outages do the same to all their nodes, HTTP aborts and delays go to
/// every Envoy's fault filter through `POST /runtime_modify`, a partition's pods hold the requests
/// of the Envoys on the other side (`LabTarget+Partition`). Procedure steps are played as the
/// model plays them (`LabTarget+Procedures`). Control-plane changes are applied as
/// they come due, by a task of the actor's own.
///
/// `bringUp()` starts everything, under the run's `ProcessSupervisor`, whose scope stops every
/// process however the run ends; `teardown()` clears faults and wakes stopped processes first.
public actor LabTarget: LiveTarget {
    /// The plan being run.
    public let plan: Plan
    /// Where the generated files and the processes' logs go.
    public let directory: String
    private let supervisor: ProcessSupervisor
    let admin: EnvoyAdmin
    private let options: LabOptions
    var layout: LabLayout
    private let changes: [ControlPlaneChange]
    private var nextChange = 0
    private let controlPlaneEvents: [TimelineEvent]
    private var nextControlPlaneEvent = 0
    var pods: [String: LabPodRuntime] = [:]
    var podOrder: [String] = []
    private(set) var crashedNodes: [String: Int] = [:]
    private var hungNodes: [String: Int] = [:]
    private var envoyLogs: [LabEnvoyLog] = []
    private var startEpoch: Int64 = 0
    private var started = ContinuousClock.now
    private var replicas: [ReplicaKey: [Int]] = [:]
    var events: [TimelineEvent] = []
    private var edsVersion = 0
    private var faultedServices: Set<String> = []
    private var pendingStarts: [String] = []
    private var prometheus: LabPrometheus?
    private var faultCountersAtInjection: [Int: EnvoyAdmin.FaultCounters] = [:]
    /// Failed connections and timeouts per service when each node fault was injected.
    private var upstreamFailuresAtInjection: [Int: [String: Int]] = [:]
    private var controlPlane: Task<Void, Never>?
    var controlPlaneError: (any Error)?
    /// When each pod the kubelet restarts after its node's crash serves again (elapsed time).
    var restartDue: [String: TimeSpan] = [:]
    private var controlPlaneLag = ControlPlaneLag()
    /// The partitions in effect (LabTarget+Partition.swift).
    var partitions = LabPartitions()
    /// What the procedures changed and have not put back (`LabTarget+Procedures`).
    var procedureState = LabProcedureState()
    /// The lab Prometheus's port.
    public nonisolated let prometheusPort: Int

    /// A lab for `plan` whose control plane replays `changes` (from the model run with the lab's
    /// time scale) and reports `controlPlaneEvents` (its NotReady, taint and eviction events) as
    /// their times come, its files under `directory`, its processes started by `supervisor`.
    public init(plan: Plan, changes: [ControlPlaneChange], controlPlaneEvents: [TimelineEvent] = [], directory: String, supervisor: ProcessSupervisor, client: HTTPClient = HTTPClient(), options: LabOptions = LabOptions()) throws {
        try Self.checkSupported(plan)
        self.plan = plan
        self.changes = changes.sorted { $0.at < $1.at }
        self.controlPlaneEvents = controlPlaneEvents.sorted { $0.at < $1.at }
        self.directory = directory
        self.supervisor = supervisor
        self.admin = EnvoyAdmin(client: client)
        self.options = options
        self.layout = try LabLayout(plan: plan, basePort: options.basePort)
        self.prometheusPort = layout.prometheusPort
    }

    /// The Envoys of the lab, one per client locality (traffic goes to their listeners).
    public var envoys: [LabLayout.Envoy] { layout.envoys }

    /// Faults and procedure steps the lab cannot make real, refused before anything starts.
    public static func checkSupported(_ plan: Plan) throws(LabError) {
        try checkProcedures(plan)
    }

    // MARK: Bringing up

    /// Writes every Envoy's bootstrap and EDS files and Prometheus's configuration, starts the pods,
    /// the Envoys and Prometheus, and returns once all of them answer and Prometheus has scraped every Envoy.
    public func bringUp() async throws {
        for pod in layout.pods {
            pods[pod.name] = LabPodRuntime(pod: pod, process: nil, ready: true, inEndpoints: true)
            podOrder.append(pod.name)
        }
        let bootstrapOptions = EnvoyBootstrap.Options(timeScale: options.timeScale)
        for envoy in layout.envoys {
            let files = envoy.files(in: directory)
            try AtomicFileWriter.makeDirectories(files.directory)
            try AtomicFileWriter.write(EnvoyBootstrap.render(plan: plan, envoy: envoy, files: files, options: bootstrapOptions), to: files.bootstrap)
        }
        try publishEndpoints(services: plan.services.map(\.name))
        let podTargets = directory + "/prometheus-pods.json"
        try AtomicFileWriter.write(PrometheusConfig.podTargets(layout.pods), to: podTargets)
        try AtomicFileWriter.write(PrometheusConfig.render(layout: layout, podTargetsFile: podTargets), to: directory + "/prometheus.yml")

        var starting: [(SupervisedProcess, ProcessReadiness)] = []
        for name in podOrder {
            guard let runtime = pods[name] else { continue }
            let configuration = try podConfiguration(runtime.pod)
            let process = try await supervisor.startPod(configuration, executable: options.quakeExecutable)
            pods[name]?.process = process
            starting.append((process, .pod(configuration)))
        }
        guard let envoyExecutable = ProcessSupervisor.executablePath("envoy") else {
            throw LabError(code: .missingTool, message: "envoy is not installed (not found on PATH; scripts/install-deps installs it)", location: "envoy")
        }
        for envoy in layout.envoys {
            let command = envoy.launchCommand(executable: envoyExecutable, files: envoy.files(in: directory), concurrency: options.envoyConcurrency)
            let process = try await supervisor.start(name: envoy.name, program: command.program, arguments: command.arguments)
            starting.append((process, .http(url: envoy.adminURL + "/ready")))
        }
        let prometheus = try await supervisor.start(name: "prometheus", program: "prometheus", arguments: Self.prometheusArguments(directory: directory, port: layout.prometheusPort))
        starting.append((prometheus, .http(url: prometheusURL + "/-/ready")))
        for (process, readiness) in starting {
            try await supervisor.waitUntilReady(process, probe: readiness, timeout: .seconds(30))
        }
        try await LabPrometheus.waitForScrapes(baseURL: prometheusURL, envoys: layout.envoys.count, http: admin.client)
    }

    /// The command line of the lab's Prometheus: its configuration and storage under `directory`,
    /// its web port on loopback.
    static func prometheusArguments(directory: String, port: Int) -> [String] {
        ["--config.file=" + directory + "/prometheus.yml", "--storage.tsdb.path=" + directory + "/prometheus-data",
         "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
    }

    /// The lab Prometheus's base URL.
    public nonisolated var prometheusURL: String { "http://127.0.0.1:\(prometheusPort)" }

    private func podConfiguration(_ pod: LabLayout.Pod) throws -> PodConfiguration {
        var configuration = try PodConfiguration(labPod: pod, plan: plan, layout: layout, index: podOrder.firstIndex(of: pod.name) ?? 0)
        configuration.cutOff = podCutOff(pod)
        return configuration
    }

    // MARK: LiveTarget

    public func prepare() async throws {
        started = ContinuousClock.now
        startEpoch = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        envoyLogs = layout.envoys.map { LabEnvoyLog(envoy: $0, path: $0.files(in: directory).accessLog, window: plan.target.window, origin: startEpoch) }
        prometheus = LabPrometheus(baseURL: prometheusURL, plan: plan, envoys: layout.envoys, origin: Date(timeIntervalSince1970: Double(startEpoch) / 1_000_000),
                                   windowCount: windowCount, http: admin.client)
        for pod in layout.pods { nameHost(pod) }
        controlPlane = Task { await self.playControlPlane() }
    }

    public func inject(_ fault: FaultSpec, index: Int) async throws {
        switch fault.fault {
        case let .nodeHang(node):
            upstreamFailuresAtInjection[index] = try await admin.upstreamFailures(of: layout.envoys)
            hungNodes[node, default: 0] += 1
            for name in podOrder where pods[name]?.pod.node == node { try stopPod(name) }
        case .nodeCrash, .zoneOutage, .clusterOutage, .regionOutage:
            upstreamFailuresAtInjection[index] = try await admin.upstreamFailures(of: layout.envoys)
            for node in BlastRadius.nodesDown(by: fault.fault, in: plan.topology) {
                crashedNodes[node, default: 0] += 1
                for name in podOrder where pods[name]?.pod.node == node { try killPod(name) }
            }
        case let .httpAbort(service, status, percentage):
            faultedServices.insert(service)
            faultCountersAtInjection[index] = try await admin.faultCounters(of: layout.envoys)
            try await admin.setRuntime(EnvoyRuntimeKeys(service: service).abort(status: status, percentage: percentage), on: layout.envoys)
        case let .httpDelay(service, delay, percentage):
            faultedServices.insert(service)
            faultCountersAtInjection[index] = try await admin.faultCounters(of: layout.envoys)
            try await admin.setRuntime(EnvoyRuntimeKeys(service: service).delay(delay, percentage: percentage), on: layout.envoys)
        case .podKill:
            // Which pods die is the control plane's choice (the model's, with the plan's seed): its
            // deletions arrive as control-plane changes at this instant.
            try applyChanges(through: elapsed)
            try await startPending()
        case let .partition(a, b):
            try await injectPartition(LabPartitions.Sides(a, b), index: index)
        }
    }

    public func revert(_ fault: FaultSpec, index: Int) async throws {
        switch fault.fault {
        case let .nodeHang(node):
            try await countUpstreamFailures(during: fault, index: index)
            hungNodes[node] = max(0, (hungNodes[node] ?? 0) - 1)
            if hungNodes[node] == 0 {
                for name in podOrder where pods[name]?.pod.node == node { try await resumePod(name) }
            }
        case .nodeCrash, .zoneOutage, .clusterOutage, .regionOutage:
            try await countUpstreamFailures(during: fault, index: index)
            for node in BlastRadius.nodesDown(by: fault.fault, in: plan.topology) {
                crashedNodes[node] = max(0, (crashedNodes[node] ?? 0) - 1)
                guard crashedNodes[node] == 0 else { continue }
                // The kubelet restarts the pods the control plane did not delete meanwhile at once;
                // each listens after its service's startupTime (time-scaled), refusing connections
                // until then. The model restarts them at the scheduled revert, so the count starts
                // there (or now, if the run reverts early).
                let revertedAt = min(elapsed, fault.end(experimentDuration: plan.schedule.duration))
                for name in podOrder where pods[name]?.pod.node == node && pods[name]?.process == nil {
                    guard let runtime = pods[name], !runtime.deleted else { continue }
                    restartDue[name] = revertedAt + (plan.service(named: runtime.pod.service)?.startupTime ?? .zero)
                    pendingStarts.append(name)
                }
            }
            try await startPending()
        case let .httpAbort(service, _, _), let .httpDelay(service, _, _):
            try await admin.setRuntime(EnvoyRuntimeKeys(service: service).clearFaults, on: layout.envoys)
            faultedServices.remove(service)
            if let before = faultCountersAtInjection.removeValue(forKey: index) {
                let counted = try await admin.faultCounters(of: layout.envoys) - before
                let detail: String
                if case .httpAbort = fault.fault { detail = "\(counted.abortsInjected) aborts injected" } else { detail = "\(counted.delaysInjected) delays injected" }
                events.append(TimelineEvent(at: elapsed, kind: .faultCounted, subject: service, detail: detail + " (Envoy's http.\(EnvoyBootstrap.statPrefix).fault stats)"))
            }
        case .partition:
            try await revertPartition(index: index)
        case .podKill:
            break
        }
    }

    public func observe(through window: Int) async throws -> Timeline {
        if let controlPlaneError { throw controlPlaneError }
        let end = plan.target.window * Int64(window + 1)
        try applyChanges(through: end)
        try await startPending()
        recordReplicas(through: window)
        for i in envoyLogs.indices { try envoyLogs[i].readNew() }
        try await readPrometheus(through: window, final: false)
        return timeline(from: max(0, window + 1 - stopConditionLookback))
    }

    /// What the Envoys counted of failed connections and timeouts to the services with pods on the
    /// fault's nodes since it was injected, as a `fault-counted` event: the fault's evidence when
    /// retries kept every request from failing.
    private func countUpstreamFailures(during fault: FaultSpec, index: Int) async throws {
        guard let before = upstreamFailuresAtInjection.removeValue(forKey: index) else { return }
        let nodes = Set(BlastRadius.nodesDown(by: fault.fault, in: plan.topology))
        let services = Set(pods.values.filter { nodes.contains($0.pod.node) }.map(\.pod.service))
        let now = try await admin.upstreamFailures(of: layout.envoys)
        let counted = services.reduce(0) { $0 + max(0, (now[$1] ?? 0) - (before[$1] ?? 0)) }
        guard counted > 0 else { return }
        events.append(TimelineEvent(at: elapsed, kind: .faultCounted, subject: fault.fault.description,
                                    detail: "\(counted) failed connections or timeouts to \(services.sorted().joined(separator: ", ")) (Envoy's \(EnvoyAdmin.upstreamFailureCounters.joined(separator: ", ")))"))
    }

    /// How many of the last windows the Runner's stop-condition check needs from the access logs:
    /// the longest condition's span, and 5 windows more for lines Envoy writes late (it flushes
    /// every second); none without stop conditions. ``finish()`` builds every window.
    private var stopConditionLookback: Int {
        let window = max(1, plan.target.window.microseconds)
        let spans = plan.stopConditions.map { Int(($0.duration.microseconds + window - 1) / window) }
        return spans.max().map { max(1, $0) + 5 } ?? 0
    }

    public func finish() async throws -> Timeline {
        controlPlane?.cancel()
        if let controlPlaneError { throw controlPlaneError }
        try applyChanges(through: plan.schedule.duration)
        try await startPending()
        recordReplicas(through: windowCount - 1)
        // Envoy flushes its access log every second: wait for the last requests' lines.
        try await Task.sleep(for: .milliseconds(2_500))
        for i in envoyLogs.indices { try envoyLogs[i].readNew() }
        try await readPrometheus(through: windowCount - 1, final: true)
        return timeline()
    }

    /// One round of Prometheus queries about windows up to `window` (``LabPrometheus``); the last
    /// one, after the run, waits longer for its answers.
    private func readPrometheus(through window: Int, final: Bool) async throws {
        guard let reader = prometheus else { return }
        let round = await reader.fetch(through: window, now: Date(), timeout: final ? .seconds(10) : .seconds(2))
        try prometheus?.apply(round, final: final)
    }

    public func teardown() async {
        controlPlane?.cancel()
        cancelUpgradeTimers()
        for service in faultedServices.sorted() {
            try? await admin.setRuntime(EnvoyRuntimeKeys(service: service).clearFaults, on: layout.envoys)
        }
        faultedServices.removeAll()
        await liftPartitions()
        for name in podOrder where pods[name]?.stopped == true { try? await resumePod(name) }
    }

    // MARK: Control plane

    private var windowCount: Int {
        Int((plan.schedule.duration.microseconds + plan.target.window.microseconds - 1) / plan.target.window.microseconds)
    }

    var elapsed: TimeSpan {
        let d = started.duration(to: ContinuousClock.now)
        return TimeSpan(microseconds: d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
    }

    /// Applies each control-plane change when it is due, as Kubernetes and Karmada would (not at
    /// the end of the window it falls in), until the plan ends or the run stops. An error is kept
    /// for the next ``observe(through:)`` to throw.
    private func playControlPlane() async {
        while !Task.isCancelled {
            let nextAt = [nextChange < changes.count ? changes[nextChange].at : nil,
                          nextControlPlaneEvent < controlPlaneEvents.count ? controlPlaneEvents[nextControlPlaneEvent].at : nil]
                .compactMap { $0 }.min()
            guard let nextAt, nextAt <= plan.schedule.duration else { return }
            do {
                try await Task.sleep(until: started.advanced(by: .microseconds(nextAt.microseconds)), clock: .continuous)
                try applyChanges(through: max(nextAt, elapsed))
                try await startPending()
            } catch is CancellationError {
                return
            } catch {
                controlPlaneError = error
                return
            }
        }
    }

    /// Applies every control-plane change due by `t`.
    private func applyChanges(through t: TimeSpan) throws {
        var touched: Set<String> = []
        var podsChanged = false
        while nextChange < changes.count, changes[nextChange].at <= t {
            let change = changes[nextChange]
            nextChange += 1
            controlPlaneLag.record(change, appliedAt: elapsed)
            switch change.kind {
            case let .created(service, node, locality):
                guard let cluster = plan.topology.node(named: node).map(\.locality.cluster) else { continue }
                let pod = try layout.addPod(name: change.pod, service: service, cluster: cluster, node: node, locality: locality)
                pods[pod.name] = LabPodRuntime(pod: pod, process: nil, ready: false, inEndpoints: false)
                podOrder.append(pod.name)
                nameHost(pod)
                podsChanged = true
                events.append(TimelineEvent(at: change.at, kind: .podCreated, subject: pod.name, detail: "on \(node)"))
                pendingStarts.append(pod.name)
            case .ready:
                pods[change.pod]?.ready = true
                events.append(TimelineEvent(at: change.at, kind: .podReady, subject: change.pod))
            case let .endpoint(added):
                guard let runtime = pods[change.pod] else { continue }
                pods[change.pod]?.inEndpoints = added
                touched.insert(runtime.pod.service)
                events.append(TimelineEvent(at: change.at, kind: added ? .endpointsAdded : .endpointsDropped, subject: change.pod, detail: runtime.pod.service))
            case .deleted:
                guard pods[change.pod] != nil else { continue }
                try killPod(change.pod)
                pods[change.pod]?.deleted = true
                layout.removePod(named: change.pod)
                podsChanged = true
                events.append(TimelineEvent(at: change.at, kind: .podEvicted, subject: change.pod, detail: "deleted by the control plane"))
            }
        }
        while nextControlPlaneEvent < controlPlaneEvents.count, controlPlaneEvents[nextControlPlaneEvent].at <= t {
            events.append(controlPlaneEvents[nextControlPlaneEvent])
            nextControlPlaneEvent += 1
        }
        if !touched.isEmpty { try publishEndpoints(services: plan.services.map(\.name).filter(touched.contains)) }
        if podsChanged {
            try AtomicFileWriter.write(PrometheusConfig.podTargets(layout.pods), to: directory + "/prometheus-pods.json")
        }
    }

    /// Starts the processes of pods created since the last call (on a node that is up).
    private func startPending() async throws {
        let names = pendingStarts
        pendingStarts.removeAll()
        for name in names { try await restartPod(name) }
    }

    /// Rewrites the EDS file of every upstream of `services` in every Envoy, by atomic rename.
    ///
    /// A pod is an endpoint from the control plane's endpoint-added decision to its endpoint-removed
    /// one, deleted or not: a deleted pod's endpoint leaves when EndpointSlice and istiod would drop
    /// it, and a lost cluster's pods stay (dead) endpoints until the cluster is back, as the model has it.
    private func publishEndpoints(services: [String]) throws {
        edsVersion += 1
        let upstreams = EnvoyUpstream.all(in: plan).filter { services.contains($0.service) }
        let live = podOrder.compactMap { pods[$0] }.filter(\.inEndpoints).map(\.pod)
        for envoy in layout.envoys {
            let files = envoy.files(in: directory)
            for upstream in upstreams {
                let endpoints = upstream.endpoints(among: live, plan: plan).map { EDSEndpoint(pod: $0) }
                try AtomicFileWriter.makeDirectories(files.edsDirectory(for: upstream))
                try AtomicFileWriter.write(EDSDocument.render(upstream: upstream, client: envoy.locality, endpoints: endpoints, plan: plan, version: String(edsVersion)), to: files.edsFile(for: upstream))
            }
        }
    }

    private func recordReplicas(through window: Int) {
        var ready: [ReplicaKey: Int] = [:]
        for service in plan.services {
            for cluster in plan.topology.clusters { ready[ReplicaKey(service: service.name, cluster: cluster.name)] = 0 }
        }
        for runtime in pods.values where !runtime.deleted && runtime.ready {
            ready[ReplicaKey(service: runtime.pod.service, cluster: runtime.pod.cluster), default: 0] += 1
        }
        for (key, count) in ready {
            var series = replicas[key] ?? []
            while series.count <= window { series.append(count) }
            replicas[key] = series
        }
    }

    /// What the access logs, the control plane and Prometheus showed so far.
    private func timeline(from first: Int = 0) -> Timeline {
        var timeline = LabTimeline.combine(envoyLogs.map { LabTimeline.EnvoyPart(locality: $0.envoy.locality, timeline: $0.timeline(from: first)) },
                                           window: plan.target.window, windowCount: windowCount, replicas: replicas, events: events + (prometheus?.events ?? []))
        for series in prometheus?.metrics ?? [] { timeline.add(series) }
        timeline.warnings = prometheus?.warnings ?? []
        if let warning = controlPlaneLag.warning { timeline.warnings.append(warning) }
        return timeline
    }

    private func nameHost(_ pod: LabLayout.Pod) {
        for i in envoyLogs.indices { envoyLogs[i].name(host: pod.address, cluster: pod.cluster) }
        prometheus?.name(address: pod.address, pod: pod.name)
    }

    // MARK: Processes

    func killPod(_ name: String) throws {
        guard let process = pods[name]?.process else { return }
        try supervisor.kill(process)
        pods[name]?.process = nil
        pods[name]?.stopped = false
    }

    private func stopPod(_ name: String) throws {
        guard let process = pods[name]?.process, pods[name]?.stopped == false else { return }
        try supervisor.stop(process)
        pods[name]?.stopped = true
    }

    /// Sends SIGCONT to a stopped pod and confirms in /proc that it runs again; in a plan with
    /// partitions, it is then told the peers it is cut off from now (it could not be while stopped).
    ///
    /// - Throws: ``LabError`` `process` when it is still stopped a second later.
    private func resumePod(_ name: String) async throws {
        guard let process = pods[name]?.process, pods[name]?.stopped == true else { return }
        try supervisor.resume(process)
        let deadline = ContinuousClock.now + .seconds(1)
        while process.isStopped {
            guard ContinuousClock.now < deadline else {
                throw LabError(code: .process, message: "still stopped a second after SIGCONT", location: process.description)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        pods[name]?.stopped = false
        try await tellResumedPod(name)
    }

    /// Starts a pod's process again on its port, unless it was deleted or its node is still down
    /// (a pod placed on a hung node starts stopped). A pod restarting after its node's crash starts
    /// at once and listens when its restart is due: the process's own start-up cost, which a busy
    /// machine can stretch, is spent before its endpoints return.
    func restartPod(_ name: String) async throws {
        guard let runtime = pods[name], !runtime.deleted, runtime.process == nil, (crashedNodes[runtime.pod.node] ?? 0) == 0 else { return }
        var configuration = try podConfiguration(runtime.pod)
        let due = restartDue.removeValue(forKey: name)
        if let due {
            configuration.startDelay = .microseconds(max(0, (due - elapsed).microseconds))
        }
        let process = try await supervisor.startPod(configuration, executable: options.quakeExecutable)
        pods[name]?.process = process
        pods[name]?.listensAt = due ?? .zero
        if (hungNodes[runtime.pod.node] ?? 0) > 0 { try stopPod(name) }
    }

}
