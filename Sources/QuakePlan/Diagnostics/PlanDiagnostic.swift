/// One finding about a plan: where it is, which key, and what is wrong or worth knowing.
public struct PlanDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// Whether the finding stops the plan from running.
    public enum Severity: String, Sendable { case error, warning }

    /// Error or warning.
    public var severity: Severity
    /// The file the finding is in (the plan, or a manifest it names).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The offending key as a path (`schedule.faults[0].zone`); empty for the whole file.
    public var key: String
    /// What is wrong and what was expected, for people.
    public var message: String

    /// A finding from its parts.
    public init(severity: Severity, file: String, line: Int, column: Int, key: String, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `file:line:column: error: key: message`, the form editors and CI logs link to.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): " + (key.isEmpty ? "" : "\(key): ") + message
    }
}

/// A plan that cannot run, with every error found in it (not only the first).
public struct PlanError: Error, Sendable, CustomStringConvertible {
    /// Stable code of the failure.
    public enum Code: String, Sendable {
        /// The file could not be read (missing, unreadable, too large, not text).
        case unreadable
        /// The YAML itself is broken.
        case syntax
        /// The YAML is well formed but the plan is not valid.
        case invalid
    }

    /// What kind of failure it is.
    public var code: Code
    /// Every error, in file order, followed by the warnings found on the way.
    public var diagnostics: [PlanDiagnostic]

    /// An error from its code and findings.
    public init(code: Code, diagnostics: [PlanDiagnostic]) {
        self.code = code
        self.diagnostics = diagnostics
    }

    /// The errors only.
    public var errors: [PlanDiagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
