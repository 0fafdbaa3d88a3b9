import QuakeCore

/// What Quake reads off a Karmada ResourceBinding (`work.karmada.io/v1alpha2`, SEMANTICS §2.7):
/// where its replicas are scheduled (`spec.clusters`), the graceful evictions under way
/// (`spec.gracefulEvictionTasks`) and each cluster's ready replicas as Karmada aggregated them
/// (`status.aggregatedStatus[].status.readyReplicas`). A field that is missing or of the wrong
/// type is left out, never an error.
public struct KubeBinding: Sendable, Equatable {
    /// One graceful eviction task: the cluster the replicas leave and why.
    public struct Eviction: Sendable, Equatable {
        /// How many replicas leave, when the task says.
        public var replicas: Int?
        /// `TaintUntolerated`, `ApplicationFailure`, …
        public var reason: String?
        /// The controller that made the task, such as `TaintManager`.
        public var producer: String?

        /// A task from its parts.
        public init(replicas: Int?, reason: String?, producer: String?) {
            self.replicas = replicas
            self.reason = reason
            self.producer = producer
        }
    }

    /// Replicas scheduled to each cluster.
    public var clusters: [String: Int] = [:]
    /// Graceful eviction tasks, by the cluster evicted from.
    public var evictions: [String: Eviction] = [:]
    /// Ready replicas in each cluster of the aggregated status (a cluster whose status carries no
    /// `readyReplicas` has none ready, as the API leaves zero out).
    public var ready: [String: Int] = [:]

    /// A binding that schedules nothing (what a deleted binding leaves).
    public init() {}

    /// Reads `object`.
    public init(_ object: KubeJSON) {
        for entry in object[path: "spec.clusters"]?.array ?? [] {
            guard let name = entry["name"]?.string else { continue }
            clusters[name] = Self.count(entry["replicas"]) ?? 0
        }
        for task in object[path: "spec.gracefulEvictionTasks"]?.array ?? [] {
            guard let from = task["fromCluster"]?.string else { continue }
            evictions[from] = Eviction(replicas: Self.count(task["replicas"]), reason: task["reason"]?.string, producer: task["producer"]?.string)
        }
        for item in object[path: "status.aggregatedStatus"]?.array ?? [] {
            guard let name = item["clusterName"]?.string else { continue }
            let value = item[path: "status.readyReplicas"]
            if value == nil || value == .null {
                ready[name] = 0
            } else if let count = Self.count(value) {
                ready[name] = count
            }
        }
    }

    /// The events of a change from `before` to `after` of the binding named `binding` (of
    /// `service`), in this order: each eviction that appeared (`binding-evicted`, by cluster), the
    /// new placement if `spec.clusters` changed (`replicas-changed`), each eviction that ended
    /// (`replicas-changed`, by cluster).
    public static func events(from before: KubeBinding, to after: KubeBinding, service: String, binding: String, at: TimeSpan) -> [TimelineEvent] {
        var events: [TimelineEvent] = []
        for (cluster, task) in after.evictions.sorted(by: { $0.key < $1.key }) where before.evictions[cluster] == nil {
            let why = [task.reason, task.producer.map { "by \($0)" }].compactMap { $0 }.joined(separator: ", ")
            let what = task.replicas.map { "\($0) replica\($0 == 1 ? "" : "s") leave \(cluster)" } ?? "evicted from \(cluster)"
            events.append(TimelineEvent(at: at, kind: .bindingEvicted, subject: binding, detail: what + (why.isEmpty ? "" : " (\(why))")))
        }
        if after.clusters != before.clusters {
            let was = before.clusters.isEmpty ? "" : " (was \(placement(before.clusters)))"
            let now = after.clusters.isEmpty ? "scheduled to no cluster" : "scheduled to \(placement(after.clusters))"
            events.append(TimelineEvent(at: at, kind: .replicasChanged, subject: service, detail: now + was))
        }
        for cluster in before.evictions.keys.sorted() where after.evictions[cluster] == nil {
            events.append(TimelineEvent(at: at, kind: .replicasChanged, subject: service, detail: "graceful eviction from \(cluster) ended"))
        }
        return events
    }

    /// `member1: 6, member3: 4`, by cluster name.
    static func placement(_ clusters: [String: Int]) -> String {
        clusters.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }

    /// A whole, non-negative number that fits an `Int`.
    static func count(_ value: KubeJSON?) -> Int? {
        guard let number = value?.number, number >= 0, number <= Double(Int32.max), number == number.rounded() else { return nil }
        return Int(number)
    }
}
