import Foundation
import QuakeCore
import QuakeHTTP
import QuakeLab
import QuakeModel
import QuakeRunner

/// Runs a plan on the lab: the model's control plane (on the lab's time scale) decides what
/// Kubernetes and Karmada do, real processes and Envoys carry the traffic that the libcurl load
/// generator sends, and the Runner drives the schedule. Every process is stopped when this returns
/// or throws (the process supervisor's scope).
enum LabRunDriver {
    static func run(plan: Plan, seed: UInt64, folder: String, timeScale: Double, log: @escaping @Sendable (String) -> Void) async throws -> RunOutcome {
        var scaled = plan
        scaled.controlPlane.timings = plan.controlPlane.timings.scaled(by: timeScale)
        scaled.services = plan.services.map { service in
            var s = service
            s.startupTime = TimeSpan(seconds: service.startupTime.seconds * timeScale)
            return s
        }
        let labPlan = scaled
        let controlPlane = ModelRun.controlPlane(labPlan, seed: seed)
        let directory = URL(fileURLWithPath: folder + "/lab").standardizedFileURL.path
        return try await ProcessSupervisor.withSupervisor(directory: directory) { supervisor in
            let lab = try LabTarget(plan: labPlan, changes: controlPlane.changes, controlPlaneEvents: controlPlane.events, directory: directory, supervisor: supervisor, options: LabOptions(timeScale: timeScale))
            log("lab: starting \(plan.services.reduce(0) { $0 + $1.replicas }) pods, \(await lab.envoys.count) Envoys and Prometheus in \(directory)")
            try await lab.bringUp()
            let envoys = await lab.envoys
            return try await withThrowingTaskGroup(of: RunOutcome?.self) { group in
                for spec in plan.traffic {
                    guard let envoy = envoys.first(where: { $0.locality == spec.from }) else { continue }
                    let configuration = LoadConfiguration(
                        request: HTTPRequest(url: envoy.listenerURL + spec.path, headers: ["Host": spec.to], timeout: .seconds(30)),
                        mode: .openLoop(rate: spec.rate.perSecond, arrival: spec.arrival == .poisson ? .poisson(seed: seed) : .constant),
                        duration: .microseconds(plan.schedule.duration.microseconds),
                        workers: 1)
                    group.addTask {
                        _ = try await LoadGenerator.run(configuration)
                        return nil
                    }
                }
                group.addTask {
                    try await Runner(plan: labPlan, clock: ContinuousClock(), log: log).run(on: lab)
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
        }
    }
}
