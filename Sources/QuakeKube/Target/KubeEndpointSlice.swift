import QuakeCore

/// What Quake reads off a `discovery.k8s.io/v1` EndpointSlice: the Service it belongs to (the
/// `kubernetes.io/service-name` label) and whether each endpoint is ready. An endpoint without
/// `conditions.ready` is ready, as the API defines; one whose fields are of the wrong type is left
/// out, never an error.
public struct KubeEndpointSlice: Sendable, Equatable {
    /// The label that names a slice's Service.
    public static let serviceLabel = "kubernetes.io/service-name"

    /// The Service, if the slice is labelled with one.
    public var service: String?
    /// Each endpoint, by its pod (`targetRef`) or else its first address, and whether it is ready.
    public var endpoints: [String: Bool] = [:]

    /// Reads `object`.
    public init(_ object: KubeJSON) {
        service = object[path: "metadata.labels"]?[Self.serviceLabel]?.string
        for endpoint in object["endpoints"]?.array ?? [] {
            let pod = endpoint["targetRef"].flatMap { ref in ref["uid"]?.string ?? ref["name"]?.string.map { (ref["namespace"]?.string ?? "") + "/" + $0 } }
            guard let key = pod.map({ "pod " + $0 }) ?? endpoint["addresses"]?.array?.first?.string.map({ "address " + $0 }) else { continue }
            switch endpoint[path: "conditions.ready"] {
            case nil, .null?: endpoints[key] = true
            case let .bool(ready)?: endpoints[key] = endpoints[key] == true || ready
            default: continue
            }
        }
    }

    /// A Service's endpoints in one cluster, over all its slices.
    public struct Count: Sendable, Equatable {
        /// Endpoints ready to take traffic.
        public var ready: Int
        /// All endpoints, ready or not.
        public var total: Int

        /// The count of `slices`' endpoints; one that several slices list (dual-stack slices, or a
        /// move between slices) counts once, ready if any slice says so.
        public init(_ slices: some Sequence<KubeEndpointSlice>) {
            var all: [String: Bool] = [:]
            for slice in slices {
                for (key, ready) in slice.endpoints { all[key] = all[key] == true || ready }
            }
            ready = all.values.filter { $0 }.count
            total = all.count
        }

        /// The event of a change from `before` to `after` of `service`'s endpoints in `cluster`:
        /// `endpoints-dropped` when fewer are ready, `endpoints-added` when more are, none otherwise.
        public static func event(from before: Count, to after: Count, service: String, cluster: String, at: TimeSpan) -> TimelineEvent? {
            guard after.ready != before.ready else { return nil }
            return TimelineEvent(at: at, kind: after.ready < before.ready ? .endpointsDropped : .endpointsAdded, subject: "\(service) (\(cluster))",
                                 detail: "\(after.ready) of \(after.total) endpoints ready, was \(before.ready) of \(before.total)")
        }
    }
}
