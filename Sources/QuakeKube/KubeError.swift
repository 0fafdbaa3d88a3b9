/// Why Quake could not reach or change a cluster: the kubeconfig, the credentials, or the API's
/// answer, with where (a file, a context, a resource path) and what, and never a token or a key.
public struct KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for callers that handle some of them (a conflict on revert, a 429).
    public enum Code: String, Sendable, Equatable {
        /// The kubeconfig is missing, unreadable or inconsistent.
        case config
        /// Credentials could not be had (an exec plugin failed, a token file is missing).
        case credentials
        /// The API server refused the credentials (401).
        case unauthorized
        /// The API server refused the verb on the resource (403).
        case forbidden
        /// The resource does not exist (404).
        case notFound
        /// The resource changed since it was read (409), or a revert found someone else's change.
        case conflict
        /// The API server refused for now: a PodDisruptionBudget blocked an eviction (429).
        case tooManyRequests
        /// A watch's resourceVersion is too old (410); list again.
        case gone
        /// Any other answer the call did not expect.
        case api
        /// The API server could not be reached or did not answer in time.
        case transport
    }

    public var code: Code
    /// What happened, for people.
    public var message: String
    /// Where: a kubeconfig file and key, a context, or a method and path.
    public var location: String?

    /// An error from its parts.
    public init(code: Code, message: String, location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + message
    }
}
