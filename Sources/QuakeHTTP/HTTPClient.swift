import Foundation

/// Sends HTTP requests through one libcurl multi handle driven by a thread of its own, so that
/// no request blocks Swift's cooperative thread pool and connections are kept alive and reused.
///
/// Start a client for a scope with ``withClient(_:isolation:_:)``, which always stops its thread
/// and closes its connections; or use ``init()`` for the process-wide shared engine. A client is
/// a cheap handle: copies share the same engine.
///
/// Cancelling the task of a ``send(_:)`` removes its transfer from libcurl at once (closing the
/// connection if the transfer was under way) and throws `CancellationError`.
public struct HTTPClient: Sendable {
    let engine: HTTPEngine

    /// A client on the process-wide shared engine, which starts on first use and runs until the
    /// process exits.
    ///
    /// Costs, for the life of the process: one OS thread, which sleeps in `curl_multi_poll`
    /// while idle (waking once a second), and up to ``Configuration/maxConnections`` idle
    /// keep-alive connections. Prefer ``withClient(_:isolation:_:)`` where a scope exists.
    public init() {
        engine = .shared
    }

    init(engine: HTTPEngine) {
        self.engine = engine
    }

    /// Runs `body` with a client on an engine of its own, then stops the engine whether `body`
    /// returned or threw: transfers still under way end with ``HTTPError/Code/cancelled``, the
    /// connections close and the thread ends before this returns.
    ///
    /// Costs one OS thread and one libcurl multi handle for the scope.
    public static func withClient<Value>(
        _ configuration: Configuration = Configuration(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPClient) async throws -> Value
    ) async throws -> Value {
        let engine = HTTPEngine(configuration: configuration, name: "QuakeHTTP")
        do {
            let value = try await body(HTTPClient(engine: engine))
            await engine.shutdown()
            return value
        } catch {
            await engine.shutdown()
            throw error
        }
    }

    /// The limits of this client's engine.
    public var configuration: Configuration { engine.configuration }

    /// What this client's engine is doing now and has done so far.
    public var statistics: Statistics { engine.counters.snapshot }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// - Throws: ``HTTPError`` when no complete response arrived, or `CancellationError` when the
    ///   calling task was cancelled (the transfer is removed at once).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try request.validate()
        try Task.checkCancellation()
        let submission = TransferSubmission(request: request)
        let engine = engine
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if submission.attach({ continuation.resume(with: $0) }) {
                    engine.submit(submission)
                } else {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if submission.cancel() {
                engine.cancel(submission)
            }
        }
    }

    /// Sends `request` and calls `completion` with the outcome on the engine's thread, without a
    /// task per request; `completion` must return quickly. The returned submission can be
    /// passed to ``cancel(_:)``. For callers inside QuakeHTTP that drive many requests.
    @discardableResult
    func submit(_ request: HTTPRequest, completion: @escaping TransferSubmission.Completion) -> TransferSubmission {
        let submission = TransferSubmission(request: request, completion: completion)
        do {
            try request.validate()
        } catch {
            submission.complete(.failure(error))
            return submission
        }
        engine.submit(submission)
        return submission
    }

    /// Cancels a submission made with ``submit(_:completion:)``: its completion gets `CancellationError`
    /// unless the outcome was already delivered.
    func cancel(_ submission: TransferSubmission) {
        if submission.cancel() {
            engine.cancel(submission)
        }
    }

    /// Sends a `GET` for `url` with default limits and returns the response.
    public func get(_ url: String, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
        try await send(HTTPRequest(method: .get, url: url, headers: headers))
    }

    /// Sends a `POST` of `body` to `url` with default limits and returns the response.
    public func post(_ url: String, body: Data, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
        try await send(HTTPRequest(method: .post, url: url, headers: headers, body: body))
    }
}
