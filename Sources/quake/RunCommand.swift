import ArgumentParser
import Foundation
import QuakeCore
import QuakeKube
import QuakeModel
import QuakePlan
import QuakeRunner
import QuakeReport

/// `quake run PLAN...`: runs plans against a target and writes their reports.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run chaos plans against a target and write their reports.",
        discussion: ExitStatus.table
    )

    @Argument(help: "Plan files (YAML), or one suite file (kind: Suite, see docs/suites.md).")
    var plans: [String]

    @Option(help: ArgumentHelp("Suite: run only the plans with one of these tags (comma-separated, or repeat the option).", valueName: "tags"))
    var tags: [String] = []

    @Option(help: ArgumentHelp("Suite: leave out the plans with one of these tags.", valueName: "tags"))
    var skipTags: [String] = []

    @Option(help: "Target: model, lab or kubernetes (default: the plan's, else model).")
    var target: TargetKind?

    @Option(help: "Seed of every random choice (default: the plan's).")
    var seed: UInt64?

    @Option(help: "Folder for the reports (default: reports/<plan>-<UTC time>/).")
    var out: String?

    @Option(help: "Also write the JUnit XML of every plan here.")
    var junit: String?

    @Option(help: "Also write the JSON run record here (an array when several plans run).")
    var json: String?

    @Option(help: ArgumentHelp("Append each run to this history database (default: $QUAKE_HISTORY, else the user's data folder; docs/history.md).", valueName: "file"))
    var history: String?

    @Option(help: "Model: write one Envoy access-log line per simulated request to this file.")
    var accessLog: String?

    @Option(help: "Model: the access-log format, envoy (Envoy's default text) or json.")
    var accessLogFormat: AccessLogFormat = .envoy

    @Option(help: "Model: run the plan N times with seeds seed, seed+1, …; report means, 95 % intervals and flaky verdicts.")
    var `repeat`: Int = 1

    @Option(help: "Lab: compress the control plane's timings by this factor (0.05 runs Kubernetes and Karmada 20× faster; default: the plan's).")
    var timeScale: Double?

    @Option(name: .customLong("allow-target"), help: ArgumentHelp("Let plans run on this real target: lab, or the kubernetes target's context (repeat for several).", valueName: "name"))
    var allowedTargets: [String] = []

    @Option(help: ArgumentHelp("Kubernetes: the kubeconfig file (default: the plan's, else $KUBECONFIG, else ~/.kube/config).", valueName: "file"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("Kubernetes: the kubeconfig context of the clusters (overrides the plan's target.kubernetes.context).", valueName: "name"))
    var context: String?

    @Flag(help: "Lab and kubernetes: start even if an unfinished run (see `quake status`) holds the same system.")
    var force = false

    @Flag(help: "Print the exact actions each run would take (processes, signals, API calls) and change nothing.")
    var dryRun = false

    @Flag(help: "Print only the verdicts.")
    var quiet = false

    @Flag(help: "Print every event as it happens.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
        if `repeat` < 1 || `repeat` > 1000 { throw ValidationError("--repeat takes a count from 1 to 1000") }
        if let timeScale, !(timeScale > 0 && timeScale <= 1) { throw ValidationError("--time-scale takes a factor above 0 and at most 1") }
    }

    func run() async throws {
        if let suite = try SuiteRun.suitePath(of: self) { return try await SuiteRun(command: self, path: suite).run() }
        let (loaded, failed) = PlanLoading.load(plans, quiet: quiet)
        if failed { throw ExitStatus.invalid.exitCode }
        if dryRun { return try await printDryRuns(loaded.map(\.plan)) }
        let now = Date()
        let refusals = loaded.compactMap { TargetGate.refusal(of: $0.plan, on: target ?? $0.plan.target.kind, context: context, allowed: allowedTargets, now: now) }
        for refusal in refusals { PlanLoading.printError(refusal) }
        if !refusals.isEmpty { throw ExitStatus.invalid.exitCode }
        if loaded.contains(where: { (target ?? $0.plan.target.kind) != .model }), let reason = KillSwitch(registry: .standard()).reason() {
            PlanLoading.printError("the kill switch is engaged (\(reason)), so nothing was run; release it with `quake abort --clear`")
            throw ExitStatus.aborted.exitCode
        }
        var records: [RunRecord] = []
        var worst = ExitStatus.passed
        // Every plan loaded (or the command stopped above), so the files pair with them in order.
        for (planFile, plan) in zip(plans, loaded.map(\.plan)) {
            let kind = target ?? plan.target.kind
            let folder = Self.folder(for: plan.metadata.name, out: out, plans: loaded.count)
            let base = seed ?? plan.seed
            var runs: [RunRecord] = []
            if kind == .kubernetes {
                guard let record = try await runOnKubernetes(plan, planFile: planFile, folder: folder, seed: base) else {
                    worst = Self.worse(worst, .targetError)
                    continue
                }
                runs.append(record)
            } else if kind == .lab {
                guard let record = try await runOnLab(plan, planFile: planFile, folder: folder, seed: base) else {
                    worst = Self.worse(worst, .targetError)
                    continue
                }
                runs.append(record)
            } else {
                for k in 0..<`repeat` { runs.append(try runOnModel(plan, folder: folder, seed: base &+ UInt64(k), first: k == 0)) }
            }
            guard let record = `repeat` > 1 && kind == .model ? RepeatSummary.combine(runs) : runs.first else { continue }
            if let repeats = record.repeats, !quiet {
                for figure in repeats.slos where figure.flaky { print("  flaky over \(repeats.seeds.count) seeds: \(figure.name) (\(figure.verdicts.joined(separator: " ")))") }
            }
            let (judged, trend) = RunHistory.compare(record, folder: folder, history: history)
            records.append(judged)
            do {
                try ReportFiles.write(judged, to: folder, trend: trend)
                RunHistory.append(judged, planFile: planFile, folder: folder, history: history)
            } catch {
                PlanLoading.printError("cannot write the reports to \(folder): \(error.localizedDescription)")
                throw ExitStatus.targetError.exitCode
            }
            print("\(record.plan): \(record.verdict.uppercased())" + (record.score.map { String(format: ", resilience score %.1f/100", $0) } ?? "") + " — \(folder)/report.md")
            for finding in judged.regressions ?? [] { print("  \(finding.regression ? "regression" : "flaky") (\(finding.kind)): \(finding.detail)") }
            worst = Self.worse(worst, Self.status(of: record.verdict))
        }
        do {
            if let junit { try ReportFiles.write(JUnitReport.render(records), to: junit) }
            if let json { try ReportFiles.write(records.count == 1 ? ReportFiles.json(records[0]) : ReportFiles.json(records), to: json) }
        } catch {
            PlanLoading.printError("cannot write \(junit ?? json ?? ""): \(error.localizedDescription)")
            throw ExitStatus.targetError.exitCode
        }
        if worst != .passed { throw worst.exitCode }
    }

    /// Prints what each plan's run would do; throws the exit code of a plan that could not be shown.
    private func printDryRuns(_ plans: [Plan]) async throws {
        var worst = ExitStatus.passed
        for plan in plans {
            let kind = target ?? plan.target.kind
            do {
                let lines = try await DryRun.lines(plan: plan, kind: kind, folder: Self.folder(for: plan.metadata.name, out: out, plans: plans.count), seed: seed ?? plan.seed,
                                                   timeScale: timeScale ?? plan.target.labTimeScale, allowed: allowedTargets, kubeconfig: kubeconfig, context: context)
                print(lines.joined(separator: "\n"))
            } catch {
                PlanLoading.printError("\(plan.metadata.name): \(error)")
                worst = Self.worse(worst, .targetError)
            }
        }
        if worst != .passed { throw worst.exitCode }
    }

    /// Simulates, judges and records one plan with one seed; the first of repeated runs prints the
    /// summary (unless quiet) and writes the access log.
    private func runOnModel(_ plan: Plan, folder: String, seed runSeed: UInt64, first: Bool) throws -> RunRecord {
        let logPath = first ? accessLog ?? (plan.target.modelAccessLog ? folder + "/access.log" : nil) : nil
        let log: FileAccessLog?
        do {
            log = try logPath.map { try FileAccessLog(path: $0, format: accessLogFormat) }
        } catch {
            PlanLoading.printError("cannot write the access log \(logPath ?? ""): \(error.localizedDescription)")
            throw ExitStatus.targetError.exitCode
        }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let started = ContinuousClock.now
        let progress = ProgressLine(enabled: !quiet, total: plan.schedule.duration, started: started)
        let result = ModelRun.simulate(plan, seed: runSeed, accessLog: log, progress: progress.update)
        progress.finish()
        let scorecard = Scorer.score(plan: plan, timeline: result.timeline)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let log, let logPath {
            do { try log.close() } catch {
                PlanLoading.printError("cannot finish the access log \(logPath): \(error.localizedDescription)")
                throw ExitStatus.targetError.exitCode
            }
            if !quiet { print("access log: \(log.lines) lines in \(logPath)") }
        }
        if !quiet && first {
            print(RunSummary.render(plan: plan, timeline: result.timeline, simulatedRequests: result.simulatedRequests, target: "model", seed: runSeed), terminator: "")
            print(RunSummary.verdicts(scorecard))
        }
        let perSecond = seconds > 0 ? Double(result.simulatedRequests) / seconds : 0
        print(String(format: "%@: %d requests simulated and judged in %.3f s (%.2f million per second)", plan.metadata.name, result.simulatedRequests, seconds, perSecond / 1e6))
        return RunRecord(plan: plan, timeline: result.timeline, scorecard: scorecard, target: .model, seed: runSeed, startedAt: startedAt, wallSeconds: (seconds * 1000).rounded() / 1000)
    }

    /// Runs one plan on the lab and records it; nil (after printing why) when the lab failed.
    /// Ctrl-C or SIGTERM stops the run: faults are reverted and every lab process stopped first.
    private func runOnLab(_ plan: Plan, planFile: String, folder: String, seed runSeed: UInt64) async throws -> RunRecord? {
        let scale = timeScale ?? plan.target.labTimeScale
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let started = ContinuousClock.now
        let quiet = self.quiet
        let journal: Journal
        do {
            journal = try LabRunDriver.openJournal(plan: plan, planFile: planFile, purpose: .run, folder: folder, force: force)
        } catch {
            PlanLoading.printError("\(plan.metadata.name): \(error)")
            return nil
        }
        let log: @Sendable (String) -> Void = { line in if !quiet { print("  \(line)") } }
        guard let outcome = try await live(plan, journal: journal, notice: SignalCancellation.labNotice, stopped: "every fault was reverted and every lab process stopped", failed: "the lab failed", {
            try await LabRunDriver.run(plan: plan, journal: journal, seed: runSeed, folder: folder, timeScale: scale, log: log)
        }) else { return nil }
        return record(plan, outcome, target: .lab, label: "lab (time scale \(scale))", seed: runSeed, startedAt: startedAt, started: started)
    }

    /// Runs one plan on real clusters and records it; nil (after printing why) when it could not
    /// run. Ctrl-C or SIGTERM stops the run: every change is reverted first.
    private func runOnKubernetes(_ plan: Plan, planFile: String, folder: String, seed runSeed: UInt64) async throws -> RunRecord? {
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let started = ContinuousClock.now
        let quiet = self.quiet
        let kubeconfig = KubeRunDriver.kubeconfigPath(flag: self.kubeconfig, plan: plan)
        let system: KubeSystem
        let journal: Journal
        do {
            system = try KubeRunDriver.system(plan: plan, kubeconfig: kubeconfig, context: context)
            let context = self.context
            journal = try RunJournal.open(plan: plan, planFile: planFile, purpose: .run, target: "kubernetes", system: system.name, folder: folder, force: force) { header in
                header.kubeconfig = kubeconfig
                header.context = context
            }
        } catch {
            PlanLoading.printError("\(plan.metadata.name): \(error)")
            return nil
        }
        let log: @Sendable (String) -> Void = { line in if !quiet { print("  \(line)") } }
        guard let outcome = try await live(plan, journal: journal, notice: SignalCancellation.kubeNotice, stopped: "every change was reverted", failed: "the kubernetes target failed", {
            try await KubeRunDriver.run(plan: plan, system: system, journal: journal, log: log)
        }) else { return nil }
        var record = record(plan, outcome, target: .kubernetes, label: "kubernetes (\(system.name))", seed: runSeed, startedAt: startedAt, started: started)
        for connection in ([system.karmada].compactMap { $0 } + system.members.values.sorted { $0.context < $1.context }) where connection.isInsecure {
            record.warnings.append("TLS verification is off for context \(connection.context) (insecure-skip-tls-verify): anyone in the path could have answered for \(connection.server)")
        }
        return record
    }

    /// Runs `body`, a run on a live target journaling to `journal`, so that Ctrl-C or SIGTERM
    /// reverts first (exit 4); nil, after saying why, when the target failed.
    private func live(_ plan: Plan, journal: Journal, notice: String, stopped: String, failed: String, _ body: @escaping @Sendable () async throws -> RunOutcome) async throws -> RunOutcome? {
        do {
            return try await SignalCancellation.run(notice: notice, recovery: "quake rollback --run \(journal.run.id)", body)
        } catch is CancellationError {
            PlanLoading.printError("\(plan.metadata.name): stopped; \(stopped)")
            throw ExitStatus.aborted.exitCode
        } catch {
            PlanLoading.printError("\(plan.metadata.name): \(failed): \(error)")
            return nil
        }
    }

    /// The record of a run on a live target: its revert failures printed, its timeline judged,
    /// its summary printed (unless quiet).
    private func record(_ plan: Plan, _ outcome: RunOutcome, target: TargetKind, label: String, seed runSeed: UInt64, startedAt: String, started: ContinuousClock.Instant) -> RunRecord {
        for failure in outcome.revertFailures { PlanLoading.printError("\(plan.metadata.name): could not revert \(failure)") }
        let scorecard = Scorer.score(plan: plan, timeline: outcome.timeline, ended: outcome.abort)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if !quiet {
            print(RunSummary.render(plan: plan, timeline: outcome.timeline, simulatedRequests: outcome.timeline.traffic.reduce(0) { $0 + $1.requests.reduce(0) { $0 + Int($1) } }, target: label, seed: runSeed), terminator: "")
            print(RunSummary.verdicts(scorecard))
        }
        return RunRecord(plan: plan, timeline: outcome.timeline, scorecard: scorecard, target: target, seed: runSeed, startedAt: startedAt, wallSeconds: (seconds * 1000).rounded() / 1000)
    }

    /// The exit status of a verdict.
    static func status(of verdict: String) -> ExitStatus {
        switch verdict {
        case "pass": return .passed
        case "fail": return .sloFailed
        case "inconclusive": return .inconclusive
        case "aborted": return .aborted
        default: return .targetError
        }
    }

    /// The worse of two statuses: errors and aborts outrank failures, failures outrank inconclusive.
    static func worse(_ a: ExitStatus, _ b: ExitStatus) -> ExitStatus {
        let rank: [ExitStatus: Int] = [.passed: 0, .inconclusive: 1, .sloFailed: 2, .aborted: 3, .targetError: 4, .invalid: 5]
        return (rank[a] ?? 0) >= (rank[b] ?? 0) ? a : b
    }
}

extension RunCommand {
    /// `--out` (with a folder per plan when several run), or `reports/<plan>-<UTC time>/`.
    static func folder(for plan: String, out: String?, plans: Int) -> String {
        if let out { return plans > 1 ? out + "/" + plan : out }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
        return "reports/\(plan)-\(formatter.string(from: Date()))Z"
    }
}

extension TargetKind: ExpressibleByArgument {}
