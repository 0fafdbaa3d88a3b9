import ArgumentParser
import Foundation
import QuakePlan

/// `quake validate PLAN...`: checks plans (and suites with their plans) without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check chaos plans: syntax, keys, units, references, manifests and safety limits.",
        discussion: "Prints every error as file:line:column. Exit 0 when every plan is valid, 2 otherwise."
    )

    @Argument(help: "Plan files (YAML), or suite files (kind: Suite), which are checked with every plan they name.")
    var plans: [String]

    @Flag(help: "Print the findings as JSON on standard output.")
    var json = false

    @Flag(help: "Do not print warnings.")
    var quiet = false

    func run() throws {
        let (plans, suites) = SuiteValidation.expand(self.plans)
        let suitesFailed = suites.contains { $0.error != nil }
        guard json else {
            for checked in suites {
                if let error = checked.error {
                    error.diagnostics.forEach { PlanLoading.printError($0.description) }
                    PlanLoading.printError("\(checked.path): \(error.errors.count) error\(error.errors.count == 1 ? "" : "s"); the suite cannot run")
                } else if let suite = checked.suite, !quiet {
                    print("suite \(suite.name): valid (\(suite.entries.count) plan\(suite.entries.count == 1 ? "" : "s"), checked below)")
                }
            }
            let (loaded, failed) = PlanLoading.load(plans, quiet: quiet)
            for plan in loaded where !quiet { print("\(plan.plan.metadata.name): valid (\(plan.warnings.count) warning\(plan.warnings.count == 1 ? "" : "s"))") }
            if failed || suitesFailed { throw ExitStatus.invalid.exitCode }
            return
        }
        var results: [[String: Any]] = suites.map { checked in
            ["suite": checked.path, "valid": checked.error == nil, "diagnostics": (checked.error?.diagnostics ?? []).map(Self.json)]
        }
        var failed = suitesFailed
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
                "diagnostics": diagnostics.map(Self.json),
            ])
        }
        let data = try JSONSerialization.data(withJSONObject: ["plans": results], options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        if failed { throw ExitStatus.invalid.exitCode }
    }

    /// One finding as JSON.
    static func json(_ d: PlanDiagnostic) -> [String: Any] {
        ["severity": d.severity.rawValue, "file": d.file, "line": d.line, "column": d.column, "key": d.key, "message": d.message]
    }
}
