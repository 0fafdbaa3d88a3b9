/// The runaway servers of issue #7, as loopback-server replies: what a target a user points
/// Quake at may do instead of answering.
public enum RunawayServer: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Accepts the connection, reads the request and never answers.
    case neverAnswers = "never answers"
    /// Sends a head announcing 1 MB, then nothing.
    case stallsAfterHead = "stalls after the head"
    /// Sends a head announcing 1 MB, then one byte every 100 ms.
    case trickles
    /// Answers 1 GiB with its `Content-Length`, as fast as the client reads.
    case oneGigabyte = "answers 1 GiB"
    /// Answers a chunked body that never ends, as fast as the client reads.
    case endlessChunked = "answers without end (chunked)"

    /// The reply for ``LoopbackHTTPServer/with(_:isolation:_:)``.
    public var reply: LoopbackHTTPReply {
        switch self {
        case .neverAnswers: .hang
        case .stallsAfterHead: .stream(.stallAfterHead)
        case .trickles: .stream(.trickle(every: .milliseconds(100)))
        case .oneGigabyte: .stream(.sized(1 << 30))
        case .endlessChunked: .stream(.endlessChunked)
        }
    }

    /// Whether only a timeout ends a request to it (it sends too little); the others send too
    /// much, so a body cap ends it first.
    public var onlyATimeoutEndsIt: Bool {
        switch self {
        case .neverAnswers, .stallsAfterHead, .trickles: true
        case .oneGigabyte, .endlessChunked: false
        }
    }

    public var description: String { rawValue }
}
