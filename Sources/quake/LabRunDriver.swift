import Foundation
import QuakeCore
import QuakeHTTP
import QuakeLab
import QuakeModel
import QuakeObserve
import QuakeRunner

/// Runs a plan on the lab: the model's control plane (on the lab's time scale) decides what
/// Kubernetes and Karmada do, real processes and Envoys carry the traffic that the libcurl load
/// generator sends, and the Runner drives the schedule. Every process is stopped when this returns
/// or throws (the process supervisor's scope).
///
/// The run's journal (`<folder>/journal.jsonl`) records every process before it starts and every
/// fault before it is injected, so that `quake lab down` or `quake rollback` can clean up after a
/// crash; it gets its end once every process is confirmed gone.
enum LabRunDriver {
    /// Runs `plan` on a lab under `folder`, journaling to `journal` (from ``openJournal(plan:planFile:purpose:folder:force:)``).
    static func run(plan: Plan, journal: Journal, seed: UInt64, folder: String, timeScale: Double, log: @escaping @Sendable (String) -> Void) async throws -> RunOutcome {
        let labPlan = plan.scaled(by: timeScale)
        let controlPlane = ModelRun.controlPlane(labPlan, seed: seed)
        let directory = labDirectory(folder: folder)
        let outcome: RunOutcome
        do {
            outcome = try await ProcessSupervisor.withSupervisor(directory: directory, hooks: hooks(journal)) { supervisor in
                let lab = try LabTarget(plan: labPlan, changes: controlPlane.changes, controlPlaneEvents: controlPlane.events, directory: directory, supervisor: supervisor, options: LabOptions(timeScale: timeScale))
                log("lab: starting \(plan.services.reduce(0) { $0 + $1.replicas }) pods, \(await lab.envoys.count) Envoys and Prometheus in \(directory); journal \(journal.path)")
                try await lab.bringUp()
                let route = Self.route(envoys: await lab.envoys)
                let probes = LiveProbes(plan: labPlan, serviceRoute: route)
                var ran = try await withThrowingTaskGroup(of: RunOutcome?.self) { group in
                    for load in LiveTraffic.loads(of: labPlan, seed: seed, route: route) {
                        group.addTask {
                            _ = try await LoadGenerator.run(load.configuration)
                            return nil
                        }
                    }
                    group.addTask {
                        await probes.run()
                        return nil
                    }
                    group.addTask {
                        try await Runner(plan: labPlan, clock: ContinuousClock(), journal: journal, killSwitch: KillSwitch(registry: .standard()), log: log).run(on: lab)
                    }
                    var outcome: RunOutcome?
                    while let next = try await group.next() {
                        if let next {
                            outcome = next
                            group.cancelAll()
                        }
                    }
                    guard let outcome else { throw CancellationError() }
                    return outcome
                }
                probes.fill(&ran.timeline)
                return ran
            }
        } catch {
            endIfClean(journal, status: error is CancellationError ? "cancelled" : "error", log: log)
            throw error
        }
        endIfClean(journal, status: outcome.abort == nil ? "completed" : "aborted", log: log)
        return outcome
    }

    /// How a client in a locality reaches a service on the lab: the listener of the locality's
    /// Envoy, with the service named in the Host header, so requests cross the mesh.
    static func route(envoys: [LabLayout.Envoy]) -> @Sendable (String, Locality) -> ServiceRoute? {
        { service, from in envoys.first { $0.locality == from }.map { ServiceRoute(baseURL: $0.listenerURL, host: service) } }
    }

    /// The folder of the lab's generated files and process logs.
    static func labDirectory(folder: String) -> String {
        URL(fileURLWithPath: folder + "/lab").standardizedFileURL.path
    }

    /// What a lab run acts on: the loopback ports from the plan's base port.
    static func system(of plan: Plan) -> String { "127.0.0.1:\(plan.target.labBasePort)" }

    /// Begins the run's journal, after checking that no unfinished run holds the same lab
    /// (unless `force`).
    ///
    /// - Throws: ``SystemBusy`` naming the unfinished run, or what the journal threw.
    static func openJournal(plan: Plan, planFile: String, purpose: JournalRun.Purpose, folder: String, force: Bool) throws -> Journal {
        try RunJournal.open(plan: plan, planFile: planFile, purpose: purpose, target: "lab", system: system(of: plan), folder: folder, force: force)
    }

    /// Supervisor hooks that journal each process before it starts and once it has.
    static func hooks(_ journal: Journal) -> ProcessSupervisor.Hooks {
        ProcessSupervisor.Hooks(
            willStart: { try journal.record(.processStarting($0)) },
            didStart: { try journal.record(.processStarted($0)) })
    }

    /// Ends the journal with `status` if no process it recorded is alive; otherwise leaves the run
    /// listed and says how to clean up.
    static func endIfClean(_ journal: Journal, status: String, log: @Sendable (String) -> Void) {
        let left = ((try? JournalReader.state(at: journal.path))?.started ?? []).filter(\.isRunning)
        guard left.isEmpty else {
            log("processes left running: \(left.map(\.description).joined(separator: ", ")); run `quake lab down --run \(journal.run.id)`")
            return
        }
        do {
            try journal.end(status)
        } catch {
            log("could not end the journal: \(error); run `quake lab down --run \(journal.run.id)`")
        }
    }
}
