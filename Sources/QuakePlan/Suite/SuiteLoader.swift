import Foundation
import Yams

/// Reads a suite file (`kind: Suite`) and checks it completely: keys, values, and that every
/// plan it names exists. Errors name file, line and column, as for plans.
public enum SuiteLoader {
    /// What an empty suite should start with.
    static let hint = "a suite starts with 'apiVersion: quake/v1' and 'kind: Suite'"

    /// Loads the suite at `path`; plan paths are read relative to the suite's folder.
    ///
    /// - Throws: `PlanError` with every error of the suite, each with file, line and column.
    public static func load(path: String) throws(PlanError) -> Suite {
        let sink = DiagnosticSink()
        guard let source = YAMLSource.read(path: path, emptyHint: hint, sink: sink) else { throw PlanError(code: .unreadable, diagnostics: sink.diagnostics) }
        let folder = (path as NSString).deletingLastPathComponent
        return try decode(source, directory: folder.isEmpty ? "." : folder, sink: sink)
    }

    /// Loads a suite from text; `file` names it in diagnostics and `directory` resolves plan paths.
    public static func load(text: String, file: String = "suite.yaml", directory: String = ".") throws(PlanError) -> Suite {
        let sink = DiagnosticSink()
        guard let source = YAMLSource.from(data: Data(text.utf8), file: file, emptyHint: hint, sink: sink) else { throw PlanError(code: .unreadable, diagnostics: sink.diagnostics) }
        return try decode(source, directory: directory, sink: sink)
    }

    /// Whether the file at `path` is a suite: a YAML mapping whose `kind` is `Suite`. Anything
    /// unreadable is not, so that the plan loader reports it.
    public static func isSuite(path: String) -> Bool {
        let sink = DiagnosticSink()
        guard let source = YAMLSource.read(path: path, sink: sink), let root = source.documents(sink: sink)?.first,
              case let .mapping(map) = root else { return false }
        return map["kind"]?.string == "Suite"
    }

    private static func decode(_ source: YAMLSource, directory: String, sink: DiagnosticSink) throws(PlanError) -> Suite {
        guard let documents = source.documents(sink: sink) else { throw PlanError(code: .syntax, diagnostics: sink.diagnostics) }
        guard documents.count == 1, let root = documents.first else {
            let at = documents.dropFirst().first?.mark.map { source.lineMap.position($0) } ?? (line: 1, column: 1)
            sink.error(file: source.file, line: at.line, column: 1, key: "", documents.isEmpty ? "the file holds no YAML document; \(hint)" : "a suite is one YAML document; this file has \(documents.count)")
            throw PlanError(code: .invalid, diagnostics: sink.diagnostics)
        }
        let decoder = SuiteDecoder(reader: YAMLReader(file: source.file, sink: sink, lineMap: source.lineMap), directory: directory)
        let suite = decoder.decode(root)
        let ordered = sink.diagnostics.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }.map(\.element)
        guard !sink.hasErrors, let suite else { throw PlanError(code: .invalid, diagnostics: ordered) }
        return suite
    }
}
