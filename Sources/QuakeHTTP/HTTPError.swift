/// The one error a transfer throws: a stable ``code`` to branch on, a message for people
/// (libcurl's own explanation from `CURLOPT_ERRORBUFFER` where it gave one), and the URL.
///
/// Neither the message nor the description ever contains a request header's value.
public struct HTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in a form that stays the same across libcurl versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case refused, timeout, reset, tls, dns, tooLarge, cancelled, invalidURL, invalidRequest, other
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The code's name, such as `timeout`.
        public var description: String { kind.rawValue }

        /// No connection could be made: the port refused it or the host was unreachable.
        public static let refused = Code(.refused)
        /// The transfer or its connect phase ran past the request's timeout.
        public static let timeout = Code(.timeout)
        /// The peer reset or closed the connection before a complete response arrived.
        public static let reset = Code(.reset)
        /// The TLS handshake failed, including a certificate that did not verify.
        public static let tls = Code(.tls)
        /// The host name could not be resolved.
        public static let dns = Code(.dns)
        /// The response body was longer than the request's `maxBodyBytes`.
        public static let tooLarge = Code(.tooLarge)
        /// The transfer was stopped before it finished because its client shut down. (A cancelled
        /// task gets `CancellationError` instead.)
        public static let cancelled = Code(.cancelled)
        /// The URL could not be parsed or does not use `http` or `https`.
        public static let invalidURL = Code(.invalidURL)
        /// The method, a header or a limit cannot be sent as given (for example a header holding a line break).
        public static let invalidRequest = Code(.invalidRequest)
        /// Any other failure; ``HTTPError/message`` says which.
        public static let other = Code(.other)
    }

    /// What went wrong.
    public var code: Code
    /// A description for people, including libcurl's own explanation where it gave one.
    public var message: String
    /// The URL of the request that failed.
    public var url: String

    /// Creates an error.
    public init(code: Code, message: String, url: String) {
        self.code = code
        self.message = message
        self.url = url
    }

    /// The code, URL and message on one line.
    public var description: String { "\(code) (\(url)): \(message)" }
}
