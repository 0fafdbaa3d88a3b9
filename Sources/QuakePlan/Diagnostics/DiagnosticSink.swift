import Yams

/// Collects every finding of one load, across the plan and the manifests it names.
final class DiagnosticSink {
    private(set) var diagnostics: [PlanDiagnostic] = []

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    var errorCount: Int { diagnostics.reduce(0) { $0 + ($1.severity == .error ? 1 : 0) } }

    func error(file: String, line: Int, column: Int, key: String, _ message: String) {
        diagnostics.append(PlanDiagnostic(severity: .error, file: file, line: line, column: column, key: key, message: message))
    }

    func warning(file: String, line: Int, column: Int, key: String, _ message: String) {
        diagnostics.append(PlanDiagnostic(severity: .warning, file: file, line: line, column: column, key: key, message: message))
    }
}
