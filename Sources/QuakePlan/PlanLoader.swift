import Foundation
import QuakeCore

/// A plan that loaded, with the warnings found on the way.
public struct LoadedPlan: Sendable {
    /// The plan with every default filled in.
    public var plan: Plan
    /// Findings that do not stop the plan (unmodelled manifest fields, manifests that select nothing).
    public var warnings: [PlanDiagnostic]
}

/// Reads a chaos plan from YAML and validates it completely: syntax, keys, types, units,
/// references between sections, the user's Istio and Karmada manifests, and the safety limits.
public enum PlanLoader {
    /// Loads the plan at `path`; manifest `file:` entries are read relative to the plan's folder.
    ///
    /// - Throws: `PlanError` with every error of the plan and its manifests, each with file, line and column.
    public static func load(path: String) throws(PlanError) -> LoadedPlan {
        let sink = DiagnosticSink()
        guard let source = YAMLSource.read(path: path, sink: sink) else { throw PlanError(code: .unreadable, diagnostics: sink.diagnostics) }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        return try decode(source, directory: directory, sink: sink)
    }

    /// Loads a plan from text; `file` names it in diagnostics and `directory` resolves manifest paths.
    public static func load(text: String, file: String = "plan.yaml", directory: String = ".") throws(PlanError) -> LoadedPlan {
        let sink = DiagnosticSink()
        guard let source = YAMLSource.from(data: Data(text.utf8), file: file, sink: sink) else { throw PlanError(code: .unreadable, diagnostics: sink.diagnostics) }
        return try decode(source, directory: directory, sink: sink)
    }

    /// Findings of the plan file first, then of each manifest in the order first met, each by line and column.
    private static func inFileOrder(_ diagnostics: [PlanDiagnostic], planFile: String) -> [PlanDiagnostic] {
        var rank: [String: Int] = [planFile: 0]
        for d in diagnostics where rank[d.file] == nil { rank[d.file] = rank.count }
        return diagnostics.enumerated().sorted { a, b in
            let ka = (rank[a.element.file] ?? 0, a.element.line, a.element.column, a.offset)
            let kb = (rank[b.element.file] ?? 0, b.element.line, b.element.column, b.offset)
            return ka < kb
        }.map(\.element)
    }

    private static func decode(_ source: YAMLSource, directory: String, sink: DiagnosticSink) throws(PlanError) -> LoadedPlan {
        guard let documents = source.documents(sink: sink) else { throw PlanError(code: .syntax, diagnostics: sink.diagnostics) }
        guard documents.count == 1, let root = documents.first else {
            let message = documents.isEmpty ? "the file holds no YAML document; a plan starts with 'apiVersion: quake/v1'" : "a plan is one YAML document; this file has \(documents.count) (separated by ---)"
            let secondLine = documents.dropFirst().first?.mark.map { source.lineMap.position($0).line } ?? 1
            let lines = source.lines
            let separator = (0..<min(secondLine, lines.count)).last { lines[$0].hasPrefix("---") }.map { $0 + 1 } ?? secondLine
            sink.error(file: source.file, line: separator, column: 1, key: "", message)
            throw PlanError(code: .invalid, diagnostics: sink.diagnostics)
        }
        let decoder = PlanDecoder(reader: YAMLReader(file: source.file, sink: sink, lineMap: source.lineMap), directory: directory)
        let plan = decoder.decode(root)
        let ordered = inFileOrder(sink.diagnostics, planFile: source.file)
        let errors = ordered.filter { $0.severity == .error }
        let warnings = ordered.filter { $0.severity == .warning }
        guard errors.isEmpty, var plan else { throw PlanError(code: .invalid, diagnostics: errors + warnings) }
        plan.warnings = warnings.map(\.description)
        return LoadedPlan(plan: plan, warnings: warnings)
    }
}
