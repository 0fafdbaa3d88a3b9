import ArgumentParser
import QuakePlan
import QuakeReport

/// `quake explain PLAN`: the plan as Quake understood it, every default shown.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print a plan as Quake understood it: topology, placements, Istio priorities per client locality, the fault schedule and every default."
    )

    @Argument(help: "A plan file (YAML).")
    var plan: String

    func run() throws {
        let (loaded, failed) = PlanLoading.load([plan], quiet: true)
        guard !failed, let first = loaded.first else { throw ExitStatus.invalid.exitCode }
        print(PlanExplanation.render(first.plan), terminator: "")
    }
}
