import Foundation
import QuakePlan

/// Loading plans for a command: diagnostics go to standard error in `file:line:column` form.
enum PlanLoading {
    /// Loads every path; prints each plan's errors and warnings. Returns the plans that loaded and whether any failed.
    static func load(_ paths: [String], quiet: Bool = false) -> (plans: [LoadedPlan], failed: Bool) {
        var plans: [LoadedPlan] = []
        var failed = false
        for path in paths {
            do {
                let loaded = try PlanLoader.load(path: path)
                if !quiet { loaded.warnings.forEach { printError($0.description) } }
                plans.append(loaded)
            } catch {
                failed = true
                let errors = error.errors.count
                error.diagnostics.forEach { printError($0.description) }
                printError("\(path): \(errors) error\(errors == 1 ? "" : "s"); the plan cannot run")
            }
        }
        return (plans, failed)
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
