/// Why the lab could not bring up, drive or tear down its real processes: one error type for the
/// module, with a stable code.
public struct LabError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes of the failures.
    public enum Code: String, Sendable {
        /// A program the lab needs (`envoy`, `prometheus`) is not installed.
        case missingTool
        /// A process could not be started, or exited when it should have kept running.
        case process
        /// A generated configuration was rejected (by `envoy --mode validate`, say).
        case config
        /// A loopback port the lab needs is already taken.
        case portInUse
        /// A component did not become ready in time.
        case notReady
        /// A component's admin or control API answered with an error.
        case api
        /// A file the lab writes (a generated configuration, an EDS update) could not be written.
        case file
    }

    /// What kind of failure it is.
    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// Which component: a process name, a file or a URL; empty when there is nothing more precise.
    public var location: String

    /// An error from its parts.
    public init(code: Code, message: String, location: String = "") {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { location.isEmpty ? "lab: \(message)" : "lab: \(location): \(message)" }
}
