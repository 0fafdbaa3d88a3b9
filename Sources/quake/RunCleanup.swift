import ArgumentParser
import Foundation
import QuakeRunner

/// The options of `quake lab down` and `quake rollback`.
struct CleanupOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Only this run (its id, as `quake status` shows it).")
    var runID: String?

    @Flag(help: "Also clean up a run whose quake process is still running.")
    var force = false
}

/// Cleaning up unfinished runs from their journals, for `quake lab down` and `quake rollback`.
enum RunCleanup {
    /// The unfinished runs `id` names (all of them when `nil`) that `include` accepts.
    ///
    /// - Throws: ``ExitStatus/invalid`` when `id` names no unfinished run.
    static func select(id: String?, registry: RunRegistry, include: (UnfinishedRun) -> Bool) throws -> [UnfinishedRun] {
        let runs = try UnfinishedRun.all(in: registry)
        guard let id else { return runs.filter(include) }
        guard let run = runs.first(where: { $0.id == id }) else {
            PlanLoading.printError("no unfinished run \(id) in \(registry.directory) (see `quake status`)")
            throw ExitStatus.invalid.exitCode
        }
        guard include(run) || run.run == nil else {
            PlanLoading.printError("\(id) is a \(run.run?.purpose == .labUp ? "lab brought up by `quake lab up`: take it down with `quake lab down --run \(id)`" : "\(run.run?.target ?? "") run: roll it back with `quake rollback --run \(id)`")")
            throw ExitStatus.invalid.exitCode
        }
        return [run]
    }

    /// Cleans up the runs `options` and `include` select, ending their journals with `status`;
    /// prints `nothing` when there are none.
    ///
    /// - Throws: ``ExitStatus/targetError`` when a run could not be cleaned up, ``ExitStatus/invalid``
    ///   when `--run` names no unfinished run.
    static func run(_ options: CleanupOptions, status: String, nothing: String, include: (UnfinishedRun) -> Bool) async throws {
        let registry = RunRegistry.standard()
        let runs = try select(id: options.runID, registry: registry, include: include)
        guard !runs.isEmpty else {
            print(nothing)
            return
        }
        guard await perform(runs, status: status, force: options.force, registry: registry) else {
            throw ExitStatus.targetError.exitCode
        }
    }

    /// Tears down each run, ending its journal with `status`; a run whose `quake` is still alive is
    /// left alone unless `force`. Prints a line per run; returns whether every run was cleaned up.
    static func perform(_ runs: [UnfinishedRun], status: String, force: Bool, registry: RunRegistry) async -> Bool {
        var clean = true
        for run in runs {
            if run.ownerIsRunning && !force {
                PlanLoading.printError("\(run.id): still in progress (quake PID \(run.run?.owner.pid.map(String.init) ?? "?")); stop it with Ctrl-C or `kill` (it cleans up after itself), or pass --force")
                clean = false
                continue
            }
            if run.run?.target == "kubernetes" {
                do {
                    let lines = try await KubeRunDriver.rollback(run, status: status, registry: registry)
                    print("\(run.id): " + (lines.isEmpty ? "nothing was left to revert" : lines.joined(separator: "\n  ")))
                } catch {
                    PlanLoading.printError("\(run.id): \(error); run the command again")
                    clean = false
                }
                continue
            }
            guard run.run?.target == "lab" else {
                PlanLoading.printError("\(run.id): the \(run.run?.target ?? "unknown") target cannot be cleaned up by this build; its journal is \(run.pointer.journal)")
                clean = false
                continue
            }
            do {
                let summary = try await LabTeardown.tearDown(run, status: status, registry: registry)
                print("\(run.id): \(summary.sentence)")
            } catch {
                PlanLoading.printError("\(run.id): \(error); run the command again")
                clean = false
            }
        }
        return clean
    }
}
