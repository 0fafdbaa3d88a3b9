import Foundation
import Synchronization

/// The double's etcd: every object under one global resourceVersion counter, the recent changes
/// for watches to resume from, and the open watches, behind one lock.
///
/// Every write goes through ``transaction(_:)``: the changes it makes are numbered, kept in the
/// history and handed to the matching watches before the lock is released, so each watch sees
/// changes in resourceVersion order.
final class KubeAPIStore: Sendable {
    struct State {
        var revision = 0
        var objects: [KubeAPIObjectKey: KubeAPIJSON] = [:]
        var history: [KubeAPIChange] = []
        /// Changes up to this revision are no longer kept: a watch from an older one gets 410.
        var compactedRevision = 0
        var historyLimit: Int
        var watches: [Int: KubeAPIWatch] = [:]
        /// The watches held while the server hangs, stopped ones included.
        var heldWatches: [KubeAPIWatch] = []
        var nextWatch = 0

        func object(_ key: KubeAPIObjectKey) -> KubeAPIJSON? { objects[key] }

        /// The objects of `resource` (in `namespace`, or all), in key order.
        func objects(_ resource: KubeAPIResource, namespace: String?) -> [(key: KubeAPIObjectKey, object: KubeAPIJSON)] {
            objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
                .sorted { $0.key < $1.key }
                .map { (key: $0.key, object: $0.value) }
        }

        /// Stores `object` under `key` with the next resourceVersion and tells the watches;
        /// returns the stored object.
        @discardableResult
        mutating func put(_ object: KubeAPIJSON, at key: KubeAPIObjectKey) -> KubeAPIJSON {
            revision += 1
            var stored = object
            stored[path: ["metadata", "resourceVersion"]] = .string(String(revision))
            let old = objects[key]
            objects[key] = stored
            record(KubeAPIChange(type: old == nil ? "ADDED" : "MODIFIED", key: key, revision: revision, old: old, new: stored))
            return stored
        }

        /// Removes the object at `key` and tells the watches; returns its last state, or `nil`
        /// when there was none.
        @discardableResult
        mutating func remove(_ key: KubeAPIObjectKey) -> KubeAPIJSON? {
            guard let old = objects.removeValue(forKey: key) else { return nil }
            revision += 1
            var last = old
            last[path: ["metadata", "resourceVersion"]] = .string(String(revision))
            record(KubeAPIChange(type: "DELETED", key: key, revision: revision, old: old, new: last))
            return old
        }

        private mutating func record(_ change: KubeAPIChange) {
            history.append(change)
            if history.count > historyLimit {
                let dropped = history.count - historyLimit
                compactedRevision = history[dropped - 1].revision
                history.removeFirst(dropped)
            }
            for watch in watches.values {
                watch.deliver(change)
            }
        }
    }

    private let state: Mutex<State>

    init(historyLimit: Int) {
        state = Mutex(State(historyLimit: historyLimit))
    }

    /// Runs `body` with the store locked.
    func transaction<Value>(_ body: (inout State) throws -> Value) rethrows -> Value {
        try state.withLock { try body(&$0) }
    }

    /// The current resourceVersion.
    var revision: Int { state.withLock { $0.revision } }

    /// Starts `watch`: sends what it asked to see first (the objects that exist, ended by a
    /// bookmark with `sendInitialEvents`; or the changes since its resourceVersion), then every
    /// matching change. A resourceVersion older than the kept history ends it at once with a 410
    /// `Expired` error event, as the watch cache does.
    func start(_ watch: KubeAPIWatch, from resourceVersion: String?, initialEventsEnd: Bool) -> Int? {
        state.withLock { state in
            if !initialEventsEnd, let resourceVersion, let since = Int(resourceVersion), since != 0 {
                guard since >= state.compactedRevision else {
                    watch.fail(.expired(requested: since, oldest: state.compactedRevision + 1))
                    return nil
                }
                for change in state.history where change.revision > since {
                    watch.deliver(change)
                }
            } else {
                for (key, object) in state.objects(watch.plan.resource, namespace: watch.plan.namespace) {
                    watch.deliver(KubeAPIChange(type: "ADDED", key: key, revision: state.revision, old: nil, new: object))
                }
                if initialEventsEnd { watch.bookmark(revision: state.revision, initialEventsEnd: true) }
            }
            state.nextWatch += 1
            state.watches[state.nextWatch] = watch
            return state.nextWatch
        }
    }

    /// Stops delivering to watch `id`; returns it if it was still open.
    @discardableResult
    func stop(_ id: Int) -> KubeAPIWatch? {
        state.withLock { $0.watches.removeValue(forKey: id) }
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watch that allows bookmarks.
    func sendBookmarks() {
        state.withLock { state in
            for watch in state.watches.values where watch.plan.allowsBookmarks {
                watch.bookmark(revision: state.revision, initialEventsEnd: false)
            }
        }
    }

    /// Holds every open watch's events until ``releaseWatches()`` (the server hangs).
    func holdWatches() {
        state.withLock { state in
            state.heldWatches = Array(state.watches.values)
            for watch in state.heldWatches { watch.hold() }
        }
    }

    /// Sends what the watches held, in order (an end too, for one that timed out meanwhile),
    /// and lets them stream again.
    func releaseWatches() {
        state.withLock { state in
            for watch in state.heldWatches { watch.release() }
            state.heldWatches = []
        }
    }

    /// Forgets the history: a watch from any resourceVersion before now gets 410.
    func compact() {
        state.withLock { state in
            state.history.removeAll()
            state.compactedRevision = state.revision
        }
    }

    /// Ends every open watch (the server is stopping).
    func stopAllWatches() {
        let watches = state.withLock { state in
            defer { state.watches.removeAll() }
            return Array(state.watches.values)
        }
        for watch in watches { watch.finish() }
    }
}
