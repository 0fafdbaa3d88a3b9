import Foundation
import Synchronization

/// A loopback-server handler that answers `200 ok` at once, except that when request number
/// `after` arrives the whole server stalls for `stall`: that request and every one arriving
/// during the stall is answered when the stall ends, as with a garbage-collection pause.
/// It stalls once.
public final class StallOnce: Sendable {
    private struct State {
        var requests = 0
        var stallEnds: ContinuousClock.Instant?
    }

    private let after: Int
    private let stall: Duration
    private let state = Mutex(State())

    /// A handler that stalls for `stall` at request number `after` (0-based).
    public init(after: Int, stall: Duration) {
        self.after = after
        self.stall = stall
    }

    /// The reply to `request`, for ``LoopbackHTTPServer/with(_:isolation:_:)``.
    public func reply(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        let now = ContinuousClock.now
        let stallEnds = state.withLock { state -> ContinuousClock.Instant? in
            if state.requests == after { state.stallEnds = now + stall }
            state.requests += 1
            return state.stallEnds
        }
        let ok = LoopbackHTTPResponse(text: "ok\n")
        if let stallEnds, now < stallEnds {
            return .respond(ok, after: stallEnds - now)
        }
        return .respond(ok)
    }

    /// Whether the stall has begun.
    public var hasStalled: Bool {
        state.withLock { $0.stallEnds != nil }
    }
}
