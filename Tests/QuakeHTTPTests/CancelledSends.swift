import QuakeHTTP
import QuakeTestSupport

/// Requests sent from child tasks that a test cancels once they are under way: the setup the
/// client's cancellation tests share.
enum CancelledSends {
    /// What `body` threw, or `nil` if it returned.
    static func failure(_ body: () async throws -> HTTPResponse) async -> (any Error)? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Sends `count` copies of `request` through `client`, each from a child task; cancels them
    /// all once `underWay` holds (checked every 10 ms); returns what each send threw (`nil` for
    /// one that returned a response).
    static func send(
        _ count: Int = 1, of request: HTTPRequest, through client: HTTPClient,
        cancellingOnce underWay: @escaping @Sendable () -> Bool
    ) async -> [(any Error)?] {
        await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<count {
                group.addTask { await failure { try await client.send(request) } }
            }
            while !underWay() && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
            return await group.reduce(into: []) { $0.append($1) }
        }
    }
}
