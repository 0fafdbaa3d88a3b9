import QuakeCore

/// Why a run on a live target ended in error: one error type for the module, with a stable code.
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    /// Stable codes of the failures.
    public enum Code: String, Sendable {
        /// The target could not be brought up.
        case prepare
        /// A fault could not be injected.
        case inject
        /// A fault could not be reverted (it may still be in effect: the message says which).
        case revert
        /// A procedure step failed.
        case procedure
        /// The target could not report what it observed.
        case observe
        /// The run's journal could not be written or read (the message names the file).
        case journal
    }

    /// What kind of failure it is.
    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// The target's own error, when there is one.
    public var underlying: (any Error)?

    /// An error from its parts.
    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { underlying.map { "\(message): \($0)" } ?? message }
}
