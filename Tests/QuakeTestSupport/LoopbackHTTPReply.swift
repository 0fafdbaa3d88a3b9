/// What the loopback server does with a request: answer it (possibly late), or misbehave in a way a client must survive.
public enum LoopbackHTTPReply: Sendable {
    /// Sends `response` once `delay` has passed; the connection stays open if both sides allow it.
    case respond(LoopbackHTTPResponse, after: Duration = .zero)
    /// Never answers; reads and discards input until the client goes away or the server stops.
    case hang
    /// Closes the connection without answering (an orderly FIN).
    case close
    /// Resets the connection without answering (`SO_LINGER` {1, 0}, then close, which sends RST).
    case reset
    /// Sends only the first `afterBytes` bytes of `response` (head and body as on the wire), then
    /// closes the connection: with a reset if `reset`, else with an orderly FIN.
    case truncated(LoopbackHTTPResponse, afterBytes: Int, reset: Bool = false)
    /// Writes `stream` piece by piece as the client reads it, then closes the connection.
    case stream(LoopbackHTTPStream)
}
