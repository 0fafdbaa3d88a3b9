import ArgumentParser
import QuakeCore
import QuakePlan

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
        for plan in loaded {
            let kind = target ?? plan.plan.target.kind
            PlanLoading.printError("\(plan.plan.metadata.name): the plan is valid, but the \(kind.rawValue) target is not part of this build yet, so nothing was run and no report was written.")
        }
        throw ExitStatus.targetError.exitCode
    }
}

extension TargetKind: ExpressibleByArgument {}
