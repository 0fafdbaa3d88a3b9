import ArgumentParser
import Foundation
import QuakePlan

/// `quake validate PLAN...`: checks plans without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check chaos plans: syntax, keys, units, references, manifests and safety limits.",
        discussion: "Prints every error as file:line:column. Exit 0 when every plan is valid, 2 otherwise."
    )

    @Argument(help: "Plan files (YAML).")
    var plans: [String]

    @Flag(help: "Print the findings as JSON on standard output.")
    var json = false

    @Flag(help: "Do not print warnings.")
    var quiet = false

    func run() throws {
        guard json else {
            let (loaded, failed) = PlanLoading.load(plans, quiet: quiet)
            for plan in loaded where !quiet { print("\(plan.plan.metadata.name): valid (\(plan.warnings.count) warning\(plan.warnings.count == 1 ? "" : "s"))") }
            if failed { throw ExitStatus.invalid.exitCode }
            return
        }
        var results: [[String: Any]] = []
        var failed = false
        for path in plans {
            var diagnostics: [PlanDiagnostic] = []
            var valid = true
            do { diagnostics = try PlanLoader.load(path: path).warnings } catch {
                diagnostics = error.diagnostics
                valid = false
                failed = true
            }
            results.append([
                "plan": path, "valid": valid,
                "diagnostics": diagnostics.map { ["severity": $0.severity.rawValue, "file": $0.file, "line": $0.line, "column": $0.column, "key": $0.key, "message": $0.message] },
            ])
        }
        let data = try JSONSerialization.data(withJSONObject: ["plans": results], options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        if failed { throw ExitStatus.invalid.exitCode }
    }
}
