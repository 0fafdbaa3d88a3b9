import QuakePlan

/// Suites named to `quake validate`: each is checked itself and stands for its plans.
enum SuiteValidation {
    /// A suite file as checked: its suite, or the error that keeps it from running.
    struct Checked {
        var path: String
        var suite: Suite?
        var error: PlanError?
    }

    /// The files to validate as plans, in order, each once (every suite replaced by the plans
    /// it names), and the suites checked on the way.
    static func expand(_ paths: [String]) -> (plans: [String], suites: [Checked]) {
        var plans: [String] = [], suites: [Checked] = []
        func add(_ plan: String) { if !plans.contains(plan) { plans.append(plan) } }
        for path in paths {
            guard SuiteLoader.isSuite(path: path) else {
                add(path)
                continue
            }
            do {
                let suite = try SuiteLoader.load(path: path)
                suites.append(Checked(path: path, suite: suite))
                suite.entries.map(\.path).forEach(add)
            } catch {
                suites.append(Checked(path: path, error: error))
            }
        }
        return (plans, suites)
    }
}
