import Synchronization

/// One request on its way through an engine, and the one place its outcome is delivered:
/// ``complete(_:)`` hands it to the completion at most once, whoever calls it first (the
/// engine's thread when the transfer ends, a cancellation, or a shutdown).
final class TransferSubmission: Sendable {
    /// Receives the outcome; called once, on the engine's thread or the cancelling one.
    typealias Completion = @Sendable (Result<HTTPResponse, any Error>) -> Void

    private enum Phase {
        /// Created; no completion attached yet.
        case created
        /// Cancelled before a completion was attached: attaching fails.
        case cancelledEarly
        /// Waiting for the outcome.
        case waiting(Completion, cancelled: Bool)
        /// The outcome was delivered.
        case finished
    }

    /// The request to carry out.
    let request: HTTPRequest
    /// When the request was submitted, for charging time spent in the engine's queue to its timeout.
    let submitted: ContinuousClock.Instant
    private let phase: Mutex<Phase>

    /// A submission whose completion is attached later with ``attach(_:)``.
    init(request: HTTPRequest) {
        self.request = request
        self.submitted = .now
        self.phase = Mutex(.created)
    }

    /// A submission that delivers its outcome to `completion`.
    init(request: HTTPRequest, completion: @escaping Completion) {
        self.request = request
        self.submitted = .now
        self.phase = Mutex(.waiting(completion, cancelled: false))
    }

    /// Identifies the submission in the engine's tables.
    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// Attaches the completion; returns `false`, attaching nothing, if the submission was already cancelled.
    func attach(_ completion: @escaping Completion) -> Bool {
        phase.withLock { phase in
            guard case .created = phase else { return false }
            phase = .waiting(completion, cancelled: false)
            return true
        }
    }

    /// Marks the submission cancelled; returns whether the engine must be told (a completion is
    /// attached and the outcome not yet delivered).
    func cancel() -> Bool {
        phase.withLock { phase in
            switch phase {
            case .created:
                phase = .cancelledEarly
                return false
            case .waiting(let completion, _):
                phase = .waiting(completion, cancelled: true)
                return true
            case .cancelledEarly, .finished:
                return false
            }
        }
    }

    /// Whether the submission was cancelled or has finished, so there is nothing left to start.
    var isCancelledOrFinished: Bool {
        phase.withLock { phase in
            if case .waiting(_, let cancelled) = phase { return cancelled }
            return true
        }
    }

    /// Delivers `result` unless an outcome was delivered already; returns whether this call
    /// delivered it. `beforeDelivering` runs only when it does, before the completion: what it
    /// records (the engine's count of finished transfers) is there when the sender resumes.
    @discardableResult
    func complete(_ result: Result<HTTPResponse, any Error>, beforeDelivering: () -> Void = {}) -> Bool {
        let completion = phase.withLock { phase -> Completion? in
            guard case .waiting(let completion, _) = phase else { return nil }
            phase = .finished
            return completion
        }
        guard let completion else { return false }
        beforeDelivering()
        completion(result)
        return true
    }
}
