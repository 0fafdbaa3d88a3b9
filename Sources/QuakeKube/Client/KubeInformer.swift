import Foundation

/// Keeps up with the objects at one API path as kubectl's informers do: a list, then a watch from
/// the list's resourceVersion, resumed from the latest version seen (bookmarks included) whenever
/// the server ends it, and a fresh list whenever the version is too old (410), reported as the
/// changes since what was known. Runs until its task is cancelled.
public struct KubeInformer: Sendable {
    /// One object's change: `ADDED`, `MODIFIED` or `DELETED`, with the object (as it was, for a deletion).
    public struct Change: Sendable, Equatable {
        public var type: String
        public var object: KubeJSON

        /// A change from its parts.
        public init(type: String, object: KubeJSON) {
            self.type = type
            self.object = object
        }
    }

    public let client: KubeClient
    public let path: String
    public let query: [(String, String)]
    /// How long each watch asks the server to stay open.
    public let watchSeconds: Int
    /// The wait before trying again after the server could not be reached.
    public let retryDelay: Duration

    /// An informer of `path` (with `query`, such as a label selector) through `client`.
    public init(client: KubeClient, path: String, query: [(String, String)] = [], watchSeconds: Int = 300, retryDelay: Duration = .seconds(1)) {
        self.client = client
        self.path = path
        self.query = query
        self.watchSeconds = watchSeconds
        self.retryDelay = retryDelay
    }

    /// Lists and watches until cancelled, calling `onChange` with each change in order and
    /// `onListed` once the first list has been reported (what is known is then the baseline).
    ///
    /// - Throws: what the API answered when the list itself is refused (401, 403, 404); a watch
    ///   that ends or fails is resumed, a transport failure retried after ``retryDelay``.
    public func run(onListed: @Sendable () -> Void = {}, _ onChange: @Sendable (Change) async -> Void) async throws {
        var known: [String: KubeJSON] = [:]
        var version = try await relist(&known, onChange)
        onListed()
        while !Task.isCancelled {
            do {
                for try await event in client.watch(path, query: query, resourceVersion: version, timeoutSeconds: watchSeconds) {
                    if let seen = event.resourceVersion { version = seen }
                    guard event.type != "BOOKMARK", let key = Self.key(event.object) else { continue }
                    if event.type == "DELETED" { known[key] = nil } else { known[key] = event.object }
                    await onChange(Change(type: event.type, object: event.object))
                }
            } catch let error as KubeError where error.code == .gone {
                version = try await relist(&known, onChange)
            } catch let error as KubeError where error.code == .transport || error.code == .api {
                try await Task.sleep(for: retryDelay)
            }
        }
    }

    /// Lists again and reports what changed against `known`; returns the list's resourceVersion.
    private func relist(_ known: inout [String: KubeJSON], _ onChange: @Sendable (Change) async -> Void) async throws -> String {
        let list = try await client.get(path, query: query)
        var seen: Set<String> = []
        for item in list["items"]?.array ?? [] {
            guard let key = Self.key(item) else { continue }
            seen.insert(key)
            if let before = known[key] {
                if before[path: "metadata.resourceVersion"] != item[path: "metadata.resourceVersion"] { await onChange(Change(type: "MODIFIED", object: item)) }
            } else {
                await onChange(Change(type: "ADDED", object: item))
            }
            known[key] = item
        }
        for (key, gone) in known where !seen.contains(key) {
            known[key] = nil
            await onChange(Change(type: "DELETED", object: gone))
        }
        return list[path: "metadata.resourceVersion"]?.string ?? "0"
    }

    /// An object's namespace and name.
    static func key(_ object: KubeJSON) -> String? {
        guard let name = object[path: "metadata.name"]?.string else { return nil }
        return (object[path: "metadata.namespace"]?.string ?? "") + "/" + name
    }
}
