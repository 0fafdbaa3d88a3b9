import Foundation
import QuakeCore
import QuakeHTTP
import QuakeKube
import QuakeObserve
import QuakePlan
import QuakeRunner

/// Runs a plan on real clusters: the clusters' connections from the kubeconfig, the Runner driving
/// the schedule on the kubernetes target, each change journaled before it is made; and rolls back
/// what a crashed run left, from its journal.
enum KubeRunDriver {
    /// The kubeconfig file to read: `--kubeconfig`, else the plan's, else nil (kubectl's lookup).
    static func kubeconfigPath(flag: String?, plan: Plan) -> String? {
        (flag ?? plan.target.kubeconfig).map { $0.hasPrefix("~/") ? NSHomeDirectory() + $0.dropFirst() : $0 }
    }

    /// The API servers `plan` acts on.
    static func system(plan: Plan, kubeconfig: String?, context: String?) throws -> KubeSystem {
        try KubeSystem(plan: plan, kubeconfig: try Kubeconfig.load(explicitPath: kubeconfig), context: context)
    }

    /// Runs `plan` on `system`, journaling to `journal` (tainting with the run's id); ends the
    /// journal when every fault was reverted, else says how to roll back.
    static func run(plan: Plan, system: KubeSystem, journal: Journal, log: @escaping @Sendable (String) -> Void) async throws -> RunOutcome {
        let target = try KubernetesTarget(plan: plan, system: system, run: journal.run.id) { index, change in
            try journal.record(.changeMaking(index: index, change: change))
        }
        var outcome: RunOutcome
        do {
            let runner = Runner(plan: plan, clock: ContinuousClock(), journal: journal, killSwitch: KillSwitch(registry: .standard()), log: log)
            let probes = LiveProbes(plan: plan, serviceRoute: Self.route(plan: plan))
            outcome = try await withThrowingTaskGroup(of: Ran.self) { group in
                for load in LiveTraffic.loads(of: plan, seed: plan.seed, route: Self.route(plan: plan)) {
                    group.addTask { .load(load.spec, try await LoadGenerator.run(load.configuration)) }
                }
                group.addTask {
                    await probes.run()
                    return .probesEnded
                }
                group.addTask { .outcome(try await runner.run(on: target)) }
                var outcome: RunOutcome?
                var loads: [(LoadSpec, LoadResult)] = []
                while let next = try await group.next() {
                    switch next {
                    case let .outcome(ran):
                        outcome = ran
                        // An early end (a stop condition, the kill switch) stops the traffic too.
                        if ran.abort != nil { group.cancelAll() }
                    case let .load(spec, result):
                        loads.append((spec, result))
                    case .probesEnded:
                        break
                    }
                }
                guard var outcome else { throw CancellationError() }
                // The traffic is what the SLOs judge: each load's answers, by service and client.
                for (spec, result) in loads { LoadTimeline.add(result, service: spec.to, client: spec.from, offset: .zero, to: &outcome.timeline) }
                probes.fill(&outcome.timeline)
                return outcome
            }
        } catch {
            end(journal, status: error is CancellationError ? "cancelled" : "error", log: log)
            throw error
        }
        if outcome.revertFailures.isEmpty {
            end(journal, status: outcome.abort == nil ? "completed" : "aborted", log: log)
        } else {
            log("some faults could not be reverted; run `quake rollback --run \(journal.run.id)`")
        }
        return outcome
    }

    /// How a client reaches a service on real clusters: the plan's ingress gateway, with the
    /// service named in the Host header, whatever the client's locality; none without an ingress.
    static func route(plan: Plan) -> (String, Locality) -> ServiceRoute? {
        { service, _ in plan.target.kubeIngress.map { ServiceRoute(baseURL: $0, host: service) } }
    }

    /// Why no traffic reaches real clusters, for the dry run.
    static let unrouted = "target.kubernetes.ingress is not set, so nothing is sent (traffic SLIs come from target.kubernetes.prometheus if it is set)"

    /// Ends the journal if it shows no fault still active.
    private static func end(_ journal: Journal, status: String, log: @Sendable (String) -> Void) {
        let active = (try? JournalReader.state(at: journal.path))?.activeFaults ?? []
        guard active.isEmpty else {
            log("faults still active: \(active.map(\.description).joined(separator: ", ")); run `quake rollback --run \(journal.run.id)`")
            return
        }
        do {
            try journal.end(status)
        } catch {
            log("could not end the journal: \(error); run `quake rollback --run \(journal.run.id)`")
        }
    }

    /// Reverts every change the journal of `run` shows still active, confirming each against the
    /// API, then ends the journal with `status`; returns what was done, line by line.
    ///
    /// - Throws: what the kubeconfig, the plan or the API answered; the run then stays listed,
    ///   so the command can be run again.
    static func rollback(_ run: UnfinishedRun, status: String, registry: RunRegistry) async throws -> [String] {
        guard let state = run.state, let header = run.run else {
            throw RunnerError(code: .journal, message: run.problem ?? "cannot read \(run.pointer.journal)")
        }
        var lines: [String] = []
        let journal = try Journal.resume(at: run.pointer.journal, registry: registry)
        if !state.activeFaults.isEmpty {
            let plan: Plan
            do {
                plan = try PlanLoader.load(path: header.planFile).plan
            } catch {
                throw RunnerError(code: .journal, message: "the plan \(header.planFile) the run was started with cannot be read (\(error)); put it back to roll back")
            }
            let system = try Self.system(plan: plan, kubeconfig: header.kubeconfig, context: header.context)
            var clients: [String: KubeClient] = [:]
            for (cluster, connection) in system.members { clients[cluster] = KubeClient(connection: connection) }
            if let karmada = system.karmada { clients[KubeChange.karmada] = KubeClient(connection: karmada) }
            let reverter = KubeChangeReverter(clients: clients)
            for fault in state.activeFaults.reversed() {
                for text in fault.changes.reversed() {
                    lines.append(try await reverter.revert(try KubeChange(journalText: text)))
                }
                try journal.record(.faultReverted(index: fault.index))
                lines.append("reverted \(fault.description)")
            }
        }
        try journal.end(status)
        return lines
    }
}

/// What a task of a kubernetes run ends with: the Runner's outcome, one traffic load's result, or
/// the probes' end (their checks are in their recorder).
private enum Ran: Sendable {
    case outcome(RunOutcome)
    case load(LoadSpec, LoadResult)
    case probesEnded
}
