import QuakeKube

extension KubernetesTarget {
    /// Prepares the target (its informers listed), runs `body`, and tears the target down however
    /// `body` ends.
    nonisolated func whilePrepared(_ body: () async throws -> Void) async throws {
        try await prepare()
        do {
            try await body()
        } catch {
            await teardown()
            throw error
        }
        await teardown()
    }
}
