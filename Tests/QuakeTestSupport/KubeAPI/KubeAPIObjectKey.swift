/// Where an object is stored: its resource, namespace (`nil` when cluster-scoped) and name.
/// Keys sort like etcd's, so lists come back in the real server's order.
struct KubeAPIObjectKey: Hashable, Sendable, Comparable {
    let resource: KubeAPIResource
    let namespace: String?
    let name: String

    static func < (lhs: KubeAPIObjectKey, rhs: KubeAPIObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}

/// One change to the store, kept in the watch history.
struct KubeAPIChange: Sendable {
    /// `ADDED`, `MODIFIED` or `DELETED`.
    let type: String
    let key: KubeAPIObjectKey
    let revision: Int
    /// The object before the change (`nil` when added).
    let old: KubeAPIJSON?
    /// The object after it (for a deletion, the last state with the deletion's resourceVersion).
    let new: KubeAPIJSON
}
