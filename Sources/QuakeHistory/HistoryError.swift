/// An error of the run history, naming the database file and what went wrong.
public struct HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, stable across versions.
    public enum Code: String, Sendable {
        /// The database could not be opened or created.
        case open
        /// The database was written by a newer Quake (it has migrations this one does not know).
        case newerSchema
        /// A read or a write failed.
        case database
        /// No run matches a reference (`last~3`, an id).
        case notFound
        /// A reference or a `--since` value could not be read.
        case badArgument
    }

    /// What kind of failure.
    public var code: Code
    /// The message for people, naming the file where there is one.
    public var message: String

    /// An error from its parts.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
