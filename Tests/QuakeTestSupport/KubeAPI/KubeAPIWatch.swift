import Foundation
import Synchronization

/// One open watch: which objects it follows, how it presents them, and where its event lines go.
///
/// The store calls it with the lock held, so its lines leave in resourceVersion order; `send`
/// only queues a write on the connection. A change that makes an object start matching the
/// selectors is sent as ADDED, one that makes it stop matching as DELETED, as the real watch
/// cache does.
final class KubeAPIWatch: Sendable {
    /// What the watch follows and how it presents it.
    let plan: KubeAPIWatchPlan
    private let send: @Sendable (String) -> Void
    private let end: @Sendable () -> Void
    /// While the server hangs, what the watch would have sent (`nil` for its end), in order.
    private let held = Mutex<[String?]?>(nil)

    /// A watch following `plan` whose lines go to `send` and whose end goes to `end`.
    init(plan: KubeAPIWatchPlan, send: @escaping @Sendable (String) -> Void, end: @escaping @Sendable () -> Void) {
        self.plan = plan
        self.send = send
        self.end = end
    }

    private func matches(_ key: KubeAPIObjectKey, _ object: KubeAPIJSON?) -> Bool {
        guard let object, key.resource == plan.resource, plan.namespace == nil || key.namespace == plan.namespace else { return false }
        return (plan.labels?.matches(object["metadata"]["labels"].stringMap) ?? true) && (plan.fields?.matches(object) ?? true)
    }

    /// Sends `change` if this watch follows the object, before or after it.
    func deliver(_ change: KubeAPIChange) {
        let before = change.type != "ADDED" && matches(change.key, change.old)
        let after = change.type != "DELETED" && matches(change.key, change.new)
        let type: String
        switch (before, after) {
        case (false, false): return
        case (false, true): type = "ADDED"
        case (true, false): type = "DELETED"
        case (true, true): type = "MODIFIED"
        }
        let object = KubeAPITable.present(change.new, of: plan.resource, version: plan.version, as: plan.presentation, inList: false)
        emit(["type": .string(type), "object": object])
    }

    /// Sends a BOOKMARK carrying `revision` (an object of the watched kind with only metadata),
    /// marked as the end of the initial events when asked.
    func bookmark(revision: Int, initialEventsEnd: Bool) {
        var metadata: KubeAPIJSON = ["resourceVersion": .string(String(revision)), "creationTimestamp": nil]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: KubeAPIJSON = ["kind": .string(plan.resource.kind), "apiVersion": .string(plan.resource.apiVersion(plan.version)), "metadata": metadata]
        emit(["type": "BOOKMARK", "object": object])
    }

    /// Sends an ERROR event with `status` and ends the stream.
    func fail(_ status: KubeAPIStatus) {
        emit(["type": "ERROR", "object": status.body])
        finish()
    }

    /// Ends the stream.
    func finish() {
        if !held.withLock({ $0?.append(nil) != nil }) { end() }
    }

    /// Keeps what the watch sends from now on, as a hung server would not send it.
    func hold() {
        held.withLock { $0 = $0 ?? [] }
    }

    /// Sends what was kept since ``hold()``, then sends as it comes again.
    func release() {
        let lines = held.withLock { held in
            defer { held = nil }
            return held ?? []
        }
        for line in lines {
            if let line { send(line) } else { end() }
        }
    }

    private func emit(_ event: KubeAPIJSON) {
        let line = event.text + "\n"
        if !held.withLock({ $0?.append(line) != nil }) { send(line) }
    }
}
