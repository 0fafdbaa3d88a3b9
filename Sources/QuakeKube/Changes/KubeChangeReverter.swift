/// Undoes journaled changes against the API and confirms each one by reading the object back:
/// Quake's taints gone (and its cordon), the VirtualService's routes as they were. Used by a run's
/// own reverts and by `quake rollback` after a crash; safe to repeat.
public struct KubeChangeReverter: Sendable {
    /// A client per API server name (``KubeChange/on``).
    public var clients: [String: KubeClient]

    /// A reverter over `clients`.
    public init(clients: [String: KubeClient]) {
        self.clients = clients
    }

    /// Undoes `change`; returns a sentence on what was done.
    ///
    /// - Throws: ``KubeError``: `conflict` when someone else changed the VirtualService since,
    ///   `api` when the object still shows the change after the patch, or what the API answered.
    public func revert(_ change: KubeChange) async throws -> String {
        guard let client = clients[change.on] else {
            throw KubeError(code: .config, message: "no connection to '\(change.on)' to revert \(change.description)")
        }
        if let taint = change.taint {
            guard let object = try await Self.current(taint.path, client) else { return "\(taint.path) is gone; nothing to revert" }
            guard let patch = taint.revert(from: object) else { return "\(taint.path): already reverted" }
            _ = try await client.patch(taint.path, .json, patch)
            guard let after = try await Self.current(taint.path, client), !taint.isGone(from: after) else {
                return "\(taint.path): removed \(taint.taints.map(\.description).joined(separator: ", "))\(taint.cordoned ? " and uncordoned" : "")"
            }
            throw KubeError(code: .api, message: "still shows Quake's taints after the revert", location: taint.path)
        }
        if let virtualService = change.virtualService {
            guard let object = try await Self.current(virtualService.path, client) else { return "\(virtualService.path) is gone; nothing to revert" }
            guard let patch = try virtualService.revert(from: object) else { return "\(virtualService.path): already as it was" }
            _ = try await client.patch(virtualService.path, .merge, patch)
            guard let after = try await Self.current(virtualService.path, client), !virtualService.isGone(from: after) else {
                return "\(virtualService.path): routes restored"
            }
            throw KubeError(code: .api, message: "does not show the saved routes after the revert", location: virtualService.path)
        }
        if let evicted = change.evictedPod { return "\(evicted) was evicted; its controller replaces it" }
        return "\(change.deletedPod ?? "a pod") was deleted; its Deployment replaces it"
    }

    /// The object at `path` now, or nil when it no longer exists.
    static func current(_ path: String, _ client: KubeClient) async throws -> KubeJSON? {
        do {
            return try await client.get(path)
        } catch let error as KubeError where error.code == .notFound {
            return nil
        }
    }
}
