import Foundation
import QuakeCore

/// What a lab run of a plan would do, step by step, without starting or changing anything: the
/// files it writes, the processes it starts (with their command lines and ports), each fault's
/// signals and admin-API calls, the control plane's changes as the model decides them with the
/// plan's seed, and the teardown (`quake run --target lab --dry-run`).
///
/// It follows the same layout, pod configurations, runtime keys and admin URLs as ``LabTarget``,
/// so the lines name the ports, pods and calls the run would use.
public enum LabDryRun {
    /// What reading the Envoys' failure counters is for, at a node fault's injection and revert.
    static let failuresBefore = "failed connections and timeouts so far, read before the signals"
    static let failuresSince = "read again first: their rise during the fault is its evidence"

    /// The actions of a lab run of `plan` (already time-scaled) whose control plane replays
    /// `changes`, with its files under `directory`, as lines for people; `traffic` (what the run
    /// sends, its loads and probes) goes between the bring-up and the schedule.
    ///
    /// - Throws: ``LabError`` when the lab could not run the plan (a traffic shift Envoy cannot make,
    ///   ports past 65535, a pod with no Envoy for its calls).
    public static func actions(plan: Plan, changes: [ControlPlaneChange], directory: String, traffic: [String] = [], options: LabOptions = LabOptions()) throws -> [String] {
        try LabTarget.checkSupported(plan)
        var layout = try LabLayout(plan: plan, basePort: options.basePort)
        let quake = options.quakeExecutable ?? ProcessSupervisor.currentExecutable ?? "quake"
        let envoyExecutable = ProcessSupervisor.executablePath("envoy") ?? "envoy"
        // Each pod's place in creation order, which seeds its draws as in the run.
        var order: [String: Int] = [:]
        var partitions = LabPartitions()
        func command(_ pod: LabLayout.Pod, startDelay: TimeSpan = .zero) throws -> String {
            let index = order[pod.name] ?? order.count
            order[pod.name] = index
            var configuration = try PodConfiguration(labPod: pod, plan: plan, layout: layout, index: index)
            configuration.startDelay = .microseconds(startDelay.microseconds)
            configuration.cutOff = partitions.peers(cutOffFrom: pod.locality, among: layout.envoys)
            return shell([quake, "pod"] + configuration.arguments)
        }

        var lines = ["bring-up (files under \(directory)):"]
        for envoy in layout.envoys {
            lines.append("  write \(envoy.files(in: directory).bootstrap) and \(EnvoyUpstream.all(in: plan).count) EDS files (one per upstream)")
        }
        lines.append("  write \(directory)/prometheus.yml and \(directory)/prometheus-pods.json")
        for pod in layout.pods {
            lines.append("  start pod \(pod.name) (\(pod.service) on node \(pod.node), \(pod.address)): \(try command(pod))")
        }
        for envoy in layout.envoys {
            let launch = envoy.launchCommand(executable: envoyExecutable, files: envoy.files(in: directory), concurrency: options.envoyConcurrency)
            lines.append("  start \(envoy.name) for clients in \(envoy.locality) (listener \(envoy.listenerURL), admin \(envoy.adminURL)): \(shell([launch.program] + launch.arguments))")
        }
        lines.append("  start prometheus (\(layout.prometheusPort)): \(shell(["prometheus"] + LabTarget.prometheusArguments(directory: directory, port: layout.prometheusPort)))")
        lines.append("  wait until every pod answers GET /healthz, every Envoy GET /ready, Prometheus GET /-/ready, and Prometheus has scraped every Envoy")

        lines += traffic
        lines.append("schedule and control plane (times from the schedule's start):")
        let actions = RunAction.actions(of: plan.schedule)
        var next = 0
        func pods(on node: String) -> [LabLayout.Pod] { layout.pods.filter { $0.node == node } }
        func names(_ pods: [LabLayout.Pod]) -> String { pods.isEmpty ? "(no pod)" : pods.map { "\($0.name) (\($0.address))" }.joined(separator: ", ") }
        func runtime(_ pairs: [(key: String, value: String)]) -> [String] {
            layout.envoys.flatMap { envoy in
                ["    POST \(EnvoyAdmin.runtimeModifyURL(envoy, pairs))", "    GET \(EnvoyAdmin.runtimeURL(envoy)) (confirms the keys)"]
            }
        }
        func counters() -> [String] { layout.envoys.map { "    GET \(EnvoyAdmin.faultStatsURL($0)) (fault counters)" } }
        func failureCounters(_ note: String) -> [String] { layout.envoys.map { "    GET \(EnvoyAdmin.upstreamFailureStatsURL($0)) (\(note))" } }
        // The pods whose cut-off changes from `before` to now, each told and read back.
        func cutOffCalls(since before: LabPartitions) -> [String] {
            let calls = layout.pods.flatMap { pod -> [String] in
                let peers = partitions.peers(cutOffFrom: pod.locality, among: layout.envoys)
                guard peers != before.peers(cutOffFrom: pod.locality, among: layout.envoys) else { return [] }
                return ["    POST \(PodControl.setCutOffURL(pod, peers)) (\(pod.name))", "    GET \(PodControl.cutOffURL(pod)) (confirms the list)"]
            }
            return calls.isEmpty ? ["    nothing: no pod's list changes"]
                : calls + ["    (a pod not running gets its list when it starts, one still waiting out its start-up time is started again with it, a stopped one is told after SIGCONT)"]
        }
        let sorted = changes.sorted { $0.at < $1.at }
        var routes: [String: RouteWeights] = [:]
        for change in sorted + [nil] {
            // The schedule's actions due before this change (or all that are left) come first.
            while next < actions.count, change.map({ actions[next].at <= $0.at }) ?? true {
                let action = actions[next]
                next += 1
                switch action.kind {
                case let .inject(i):
                    let fault = plan.schedule.faults[i].fault
                    lines.append("  \(action.at) inject \(fault):")
                    switch fault {
                    case let .nodeHang(node):
                        lines.append("    SIGSTOP the pods of \(node): \(names(pods(on: node)))")
                        lines += failureCounters(LabDryRun.failuresBefore)
                    case .nodeCrash, .zoneOutage, .clusterOutage, .regionOutage:
                        for node in BlastRadius.nodesDown(by: fault, in: plan.topology) {
                            lines.append("    SIGKILL the pods of \(node): \(names(pods(on: node)))")
                        }
                        lines += failureCounters(LabDryRun.failuresBefore)
                    case let .httpAbort(service, status, percentage):
                        lines += counters() + runtime(EnvoyRuntimeKeys(service: service).abort(status: status, percentage: percentage))
                    case let .httpDelay(service, delay, percentage):
                        lines += counters() + runtime(EnvoyRuntimeKeys(service: service).delay(delay, percentage: percentage))
                    case .podKill:
                        lines.append("    the control plane deletes the pods below (chosen with the plan's seed)")
                    case let .partition(a, b):
                        let before = partitions
                        partitions.insert(LabPartitions.Sides(a, b), index: i)
                        lines += cutOffCalls(since: before)
                    }
                case let .revert(i):
                    let spec = plan.schedule.faults[i]
                    lines.append("  \(action.at) revert \(spec.fault):")
                    switch spec.fault {
                    case let .nodeHang(node):
                        lines += failureCounters(LabDryRun.failuresSince)
                        lines.append("    SIGCONT the pods of \(node): \(names(pods(on: node)))")
                    case .nodeCrash, .zoneOutage, .clusterOutage, .regionOutage:
                        lines += failureCounters(LabDryRun.failuresSince)
                        for node in BlastRadius.nodesDown(by: spec.fault, in: plan.topology) {
                            for pod in pods(on: node) {
                                let delay = plan.service(named: pod.service)?.startupTime ?? .zero
                                lines.append("    restart pod \(pod.name), listening after \(delay): \(try command(pod, startDelay: delay))")
                            }
                        }
                    case let .httpAbort(service, _, _), let .httpDelay(service, _, _):
                        lines += runtime(EnvoyRuntimeKeys(service: service).clearFaults) + counters()
                    case .podKill:
                        lines.append("    nothing: the control plane replaces the pods")
                    case .partition:
                        let before = partitions
                        partitions.remove(index: i)
                        lines += cutOffCalls(since: before)
                    }
                case let .step(p, s):
                    lines += try stepLines(plan.schedule.procedures[p], step: s, at: action.at, plan: plan, layout: layout, routes: &routes, runtime: runtime)
                }
            }
            guard let change, change.at <= plan.schedule.duration else { continue }
            switch change.kind {
            case let .created(service, node, locality):
                guard let cluster = plan.topology.node(named: node).map(\.locality.cluster) else { continue }
                let pod = try layout.addPod(name: change.pod, service: service, cluster: cluster, node: node, locality: locality)
                lines.append("  \(change.at) control plane: start pod \(pod.name) (\(service) on node \(node), \(pod.address)): \(try command(pod))")
            case .ready:
                continue
            case let .endpoint(added):
                lines.append("  \(change.at) control plane: \(change.pod) \(added ? "joins" : "leaves") the endpoints: rewrite its service's EDS files in every Envoy (atomic rename)")
            case .deleted:
                guard layout.removePod(named: change.pod) != nil else { continue }
                lines.append("  \(change.at) control plane: SIGKILL pod \(change.pod) (deleted)")
            }
        }
        lines.append("teardown (\(plan.schedule.duration), or at once if the run stops early):")
        lines.append("  revert every fault and procedure still active, last first (clear shifted weights, end upgrades); SIGCONT stopped pods")
        if LabTarget.hasPartitions(plan) { lines.append("  tell every pod that listens to cut off no peer (POST /control/cut-off?peers=)") }
        lines.append("  SIGTERM every process (SIGKILL after the grace period) and confirm in /proc that none is left")
        return lines
    }

    /// A command line as a shell would take it: words with characters a shell treats specially
    /// are single-quoted.
    public static func shell(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || "_/.:=,@%+-".unicodeScalars.contains($0) }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
