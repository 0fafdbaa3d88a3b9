import Foundation

/// Sends HTTP requests through libcurl without blocking Swift's cooperative thread pool.
///
/// Each transfer runs on a thread of its own with a fresh connection, so concurrent sends do not
/// wait for one another; the cost is one OS thread and one TCP (and TLS) handshake per request.
public struct HTTPClient: Sendable {
    /// Creates a client; libcurl is initialised once per process on the first transfer.
    public init() {}

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// - Throws: ``HTTPError`` when no complete response arrived, or `CancellationError` when the
    ///   calling task was cancelled (the transfer stops within about a second).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try request.validate()
        try Task.checkCancellation()
        let cancellation = TransferCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(with: Result {
                        try EasyHandle(request: request, cancellation: cancellation).perform()
                    })
                }
                thread.name = "QuakeHTTP transfer"
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
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
