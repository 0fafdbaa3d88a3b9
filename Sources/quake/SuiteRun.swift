import ArgumentParser
import Foundation
import QuakePlan
import QuakeReport

/// `quake run SUITE.yaml`: runs a suite's selected plans one after another, each exactly as
/// `quake run PLAN` would (same checks, same reports, same records), then writes the suite's
/// `junit.xml`, `summary.md` and `report.html` over them.
struct SuiteRun {
    /// The command as the user gave it; each plan runs through a copy of it.
    let command: RunCommand
    /// The suite file.
    let path: String

    /// The suite named on `command`'s line, or nil when it names plans only. Throws (after saying
    /// why) when a suite comes with other files or with options a suite cannot take, or when
    /// `--tags` or `--skip-tags` come without one.
    static func suitePath(of command: RunCommand) throws -> String? {
        let suites = command.plans.filter(SuiteLoader.isSuite)
        let tagged = !command.tags.isEmpty || !command.skipTags.isEmpty
        guard let suite = suites.first else {
            if tagged { return try refuse("--tags and --skip-tags select plans of a suite; name a suite file (kind: Suite)") }
            return nil
        }
        if command.plans.count > 1 { return try refuse("\(suite): a suite runs on its own; name one suite file, or plan files only") }
        if command.json != nil { return try refuse("--json writes one run's record; a suite writes run.json in each plan's folder") }
        if command.accessLog != nil { return try refuse("--access-log names one file; a suite's plans write theirs with target.model.accessLog") }
        return suite
    }

    private static func refuse(_ message: String) throws -> String? {
        PlanLoading.printError(message)
        throw ExitStatus.invalid.exitCode
    }

    func run() async throws {
        let suite: Suite
        do {
            suite = try SuiteLoader.load(path: path)
        } catch {
            error.diagnostics.forEach { PlanLoading.printError($0.description) }
            PlanLoading.printError("\(path): \(error.errors.count) error\(error.errors.count == 1 ? "" : "s"); the suite cannot run")
            throw ExitStatus.invalid.exitCode
        }
        let split = { (values: [String]) in values.flatMap { $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } } }
        let selected = suite.selected(tags: split(command.tags), skipTags: split(command.skipTags))
        guard !selected.isEmpty else {
            PlanLoading.printError("\(path): --tags and --skip-tags leave none of the suite's \(suite.entries.count) plans to run")
            throw ExitStatus.invalid.exitCode
        }
        let out = command.out ?? RunCommand.folder(for: suite.name, out: nil, plans: 1)
        if !command.quiet { print("suite \(suite.name): \(selected.count) of \(suite.entries.count) plans, reports in \(out)") }
        if command.dryRun { return try await dryRun(selected, out: out) }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        var entries: [SuiteRecord.Entry] = []
        var stopped = false
        for (entry, folder) in zip(selected, Suite.folderNames(selected)) {
            let target = targetName(of: entry)
            if stopped {
                entries.append(.init(file: entry.plan, folder: folder, target: target, verdict: "aborted", reason: "not run: the suite stopped before it"))
                continue
            }
            let runJSON = out + "/" + folder + "/run.json"
            // A record left by an earlier suite in the same folder must not pass for this run's.
            try? FileManager.default.removeItem(atPath: runJSON)
            let status = await runPlan(entry, folder: out + "/" + folder)
            if FileManager.default.fileExists(atPath: runJSON), let record = try? ReportFiles.read(runJSON) {
                entries.append(.init(file: entry.plan, folder: folder, record: record))
            } else if status == .aborted {
                // No record: Ctrl-C, SIGTERM or the kill switch stopped it, so nothing else runs.
                stopped = true
                entries.append(.init(file: entry.plan, folder: folder, target: target, verdict: "aborted", reason: "stopped before it finished (Ctrl-C, SIGTERM or the kill switch)"))
            } else {
                let reason = status == .invalid ? "the plan is invalid or may not run on this target (its errors are in the log)" : "the target could not run the plan (its error is in the log)"
                entries.append(.init(file: entry.plan, folder: folder, target: target, verdict: "error", reason: reason))
            }
        }
        let record = SuiteRecord(name: suite.name, description: suite.description, schedule: suite.schedule, startedAt: startedAt, entries: entries)
        do {
            try ReportFiles.write(SuiteJUnitReport.render(record), to: out + "/junit.xml")
            try ReportFiles.write(SuiteMarkdownReport.render(record), to: out + "/summary.md")
            var trends: [String: RunTrend] = [:]
            for entry in entries {
                guard let run = entry.record else { continue }
                trends[entry.folder] = RunHistory.trend(plan: run.plan, target: run.target, folder: out, history: command.history)
            }
            try ReportFiles.write(SuiteHTMLReport.render(record, trends: trends), to: out + "/report.html")
            if let junit = command.junit { try ReportFiles.write(SuiteJUnitReport.render(record), to: junit) }
        } catch {
            PlanLoading.printError("cannot write the suite's reports to \(out): \(error.localizedDescription)")
            throw ExitStatus.targetError.exitCode
        }
        print("suite \(suite.name): \(record.verdict.uppercased()) (" + record.counts.map { "\($0.count) \($0.verdict)" }.joined(separator: ", ") + ") — \(out)/summary.md")
        let status = RunCommand.status(of: record.verdict)
        if status != .passed { throw status.exitCode }
    }

    /// Runs one plan through a copy of the command, as `quake run PLAN --out FOLDER` with the
    /// entry's overrides (the command line's win); its exit status.
    private func runPlan(_ entry: Suite.Entry, folder: String) async -> ExitStatus {
        var plan = command
        plan.plans = [entry.path]
        plan.out = folder
        plan.target = command.target ?? entry.target
        plan.seed = command.seed ?? entry.seed
        if command.repeat == 1, let count = entry.repeat { plan.repeat = count }
        plan.junit = nil
        plan.tags = []
        plan.skipTags = []
        do {
            try await plan.run()
            return .passed
        } catch let exit as ExitCode {
            return ExitStatus(rawValue: exit.rawValue) ?? .targetError
        } catch {
            PlanLoading.printError("\(entry.plan): \(error)")
            return .targetError
        }
    }

    /// Prints what each selected plan's run would do, writing nothing; the worst status of them.
    private func dryRun(_ entries: [Suite.Entry], out: String) async throws {
        var worst = ExitStatus.passed
        for (entry, folder) in zip(entries, Suite.folderNames(entries)) {
            worst = RunCommand.worse(worst, await runPlan(entry, folder: out + "/" + folder))
        }
        if worst != .passed { throw worst.exitCode }
    }

    /// The target an entry runs on, for the outputs of a plan that has no record.
    private func targetName(of entry: Suite.Entry) -> String {
        if let kind = command.target ?? entry.target { return kind.rawValue }
        return (try? PlanLoader.load(path: entry.path))?.plan.target.kind.rawValue ?? "—"
    }
}
