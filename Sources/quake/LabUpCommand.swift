import ArgumentParser
import Foundation
import QuakeCore
import QuakeLab
import QuakeRunner

/// `quake lab up PLAN`: starts the plan's pods, Envoys and Prometheus and leaves them running.
struct LabUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a plan's lab (pods, Envoys, Prometheus) and leave it running until `quake lab down`.",
        discussion: "No fault is injected and no traffic is sent: send requests to an Envoy listener with `Host: <service>` (for example with `quake load`), and inject faults through its admin API."
    )

    @Argument(help: "The plan file (YAML).")
    var plan: String

    @Option(help: "Folder for the lab's files, logs and journal (default: reports/<plan>-<UTC time>/).")
    var out: String?

    @Option(help: "Compress the plan's timings by this factor (default: the plan's).")
    var timeScale: Double?

    @Flag(help: "Start even if an unfinished run (see `quake status`) holds the same lab.")
    var force = false

    func validate() throws {
        if let timeScale, !(timeScale > 0 && timeScale <= 1) { throw ValidationError("--time-scale takes a factor above 0 and at most 1") }
    }

    func run() async throws {
        let (loaded, failed) = PlanLoading.load([plan])
        guard !failed, let plan = loaded.first?.plan else { throw ExitStatus.invalid.exitCode }
        do {
            try LabTarget.checkSupported(plan)
        } catch {
            PlanLoading.printError("\(self.plan): \(error)")
            throw ExitStatus.invalid.exitCode
        }
        let scale = timeScale ?? plan.target.labTimeScale
        let folder = RunCommand.folder(for: plan.metadata.name, out: out, plans: 1)
        let directory = LabRunDriver.labDirectory(folder: folder)
        let journal: Journal
        do {
            journal = try LabRunDriver.openJournal(plan: plan, planFile: self.plan, purpose: .labUp, folder: folder, force: force)
        } catch {
            PlanLoading.printError("\(plan.metadata.name): \(error)")
            throw ExitStatus.targetError.exitCode
        }
        let labPlan = plan.scaled(by: scale)
        let endpoints: LabEndpoints
        do {
            endpoints = try await SignalCancellation.run(recovery: "quake lab down --run \(journal.run.id)") {
                try await ProcessSupervisor.withSupervisor(directory: directory, hooks: LabRunDriver.hooks(journal)) { supervisor in
                    let lab = try LabTarget(plan: labPlan, changes: [], directory: directory, supervisor: supervisor, options: LabOptions(timeScale: scale))
                    try await lab.bringUp()
                    let endpoints = LabEndpoints(envoys: await lab.envoys, prometheus: lab.prometheusURL)
                    try endpoints.write(labDirectory: directory)
                    // From here the journal, not this process, keeps the lab: `quake lab down` stops it.
                    _ = supervisor.release()
                    return endpoints
                }
            }
        } catch {
            LabRunDriver.endIfClean(journal, status: error is CancellationError ? "cancelled" : "error") { PlanLoading.printError($0) }
            PlanLoading.printError("\(plan.metadata.name): the lab could not come up: \(error)")
            throw (error is CancellationError ? ExitStatus.aborted : ExitStatus.targetError).exitCode
        }
        let pods = plan.services.reduce(0) { $0 + $1.replicas }
        print("lab \(journal.run.id) is up: \(pods) pods, \(endpoints.envoys.count) Envoys and Prometheus; files and logs in \(directory)")
        for line in endpoints.lines { print("  " + line) }
        print("Tear it down with: quake lab down --run \(journal.run.id)")
    }
}
