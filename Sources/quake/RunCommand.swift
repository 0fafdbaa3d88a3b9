import ArgumentParser
import Foundation
import QuakeCore
import QuakeModel
import QuakePlan
import QuakeReport

/// `quake run PLAN...`: runs plans against a target and writes their reports.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run chaos plans against a target and write their reports.",
        discussion: ExitStatus.table
    )

    @Argument(help: "Plan files (YAML).")
    var plans: [String]

    @Option(help: "Target: model, lab or kubernetes (default: the plan's, else model).")
    var target: TargetKind?

    @Option(help: "Seed of every random choice (default: the plan's).")
    var seed: UInt64?

    @Option(help: "Folder for the reports (default: reports/<plan>-<UTC time>/).")
    var out: String?

    @Option(help: "Write JUnit XML here.")
    var junit: String?

    @Option(help: "Write the JSON run record here.")
    var json: String?

    @Option(help: "Model: write one Envoy access-log line per simulated request to this file.")
    var accessLog: String?

    @Option(help: "Model: the access-log format, envoy (Envoy's default text) or json.")
    var accessLogFormat: AccessLogFormat = .envoy

    @Flag(help: "Print only the verdict.")
    var quiet = false

    @Flag(help: "Print every event as it happens.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
    }

    func run() throws {
        let (loaded, failed) = PlanLoading.load(plans, quiet: quiet)
        if failed { throw ExitStatus.invalid.exitCode }
        let unwritten = [("--json", json), ("--junit", junit)].compactMap { $0.1 == nil ? nil : $0.0 }
        if !unwritten.isEmpty {
            PlanLoading.printError("\(unwritten.joined(separator: " and ")): the run record and JUnit XML come with SLO scoring, which is not part of this build yet; nothing is written there.")
        }
        var worst = ExitStatus.passed
        for plan in loaded.map(\.plan) {
            let kind = target ?? plan.target.kind
            guard kind == .model else {
                PlanLoading.printError("\(plan.metadata.name): the \(kind.rawValue) target is not part of this build yet, so nothing was run.")
                worst = .targetError
                continue
            }
            let runSeed = seed ?? plan.seed
            let logPath = accessLog ?? (plan.target.modelAccessLog ? Self.defaultFolder(for: plan.metadata.name, out: out) + "/access.log" : nil)
            let log: FileAccessLog?
            do {
                log = try logPath.map { try FileAccessLog(path: $0, format: accessLogFormat) }
            } catch {
                PlanLoading.printError("cannot write the access log \(logPath ?? ""): \(error.localizedDescription)")
                throw ExitStatus.targetError.exitCode
            }
            let started = ContinuousClock.now
            let progress = ProgressLine(enabled: !quiet, total: plan.schedule.duration, started: started)
            let result = ModelRun.simulate(plan, seed: runSeed, accessLog: log, progress: progress.update)
            progress.finish()
            let elapsed = ContinuousClock.now - started
            if let log, let logPath {
                do { try log.close() } catch {
                    PlanLoading.printError("cannot finish the access log \(logPath): \(error.localizedDescription)")
                    throw ExitStatus.targetError.exitCode
                }
                if !quiet { print("access log: \(log.lines) lines in \(logPath)") }
            }
            if !quiet {
                print(RunSummary.render(plan: plan, timeline: result.timeline, simulatedRequests: result.simulatedRequests, target: "model", seed: runSeed), terminator: "")
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let perSecond = seconds > 0 ? Double(result.simulatedRequests) / seconds : 0
            print(String(format: "%@: %d requests simulated in %.3f s (%.2f million per second); SLOs not judged: scoring is not part of this build yet (exit 3, inconclusive)", plan.metadata.name, result.simulatedRequests, seconds, perSecond / 1e6))
            if worst == .passed { worst = .inconclusive }
        }
        if worst != .passed { throw worst.exitCode }
    }
}

extension RunCommand {
    /// `--out`, or `reports/<plan>-<UTC time>/`.
    static func defaultFolder(for plan: String, out: String?) -> String {
        if let out { return out }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
        return "reports/\(plan)-\(formatter.string(from: Date()))Z"
    }
}

extension TargetKind: ExpressibleByArgument {}
