/// Why a collector could not read its source: one error type for the module, with a stable code.
public struct ObserveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes of the failures.
    public enum Code: String, Sendable {
        /// The input is not in the expected format (and is not a line that can be skipped).
        case malformed
        /// A file could not be opened or read.
        case unreadable
        /// A server (Prometheus) answered with an error, or could not be reached.
        case server
        /// A format string or query given by the user is not valid.
        case invalidArgument
    }

    /// What kind of failure it is.
    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// Where: a file and line, or a URL; empty when there is nothing more precise.
    public var location: String

    /// An error from its parts.
    public init(code: Code, message: String, location: String = "") {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}
