/// Taints (and, for a node, the cordon) that Quake adds to a Node or a Karmada Cluster, with the
/// JSON patches that add them and that take exactly them away again.
///
/// Both patches start with a `test` of what they rely on, so the API server refuses them (409 /
/// 422) rather than change an object someone else changed in between: the injection tests the
/// resourceVersion it read, the revert tests that each taint it removes is still at its index.
public struct TaintChange: Sendable, Equatable, Codable {
    /// The object's API path, such as `/api/v1/nodes/n1`.
    public var path: String
    /// The taints Quake added.
    public var taints: [KubeTaint]
    /// Whether Quake set `spec.unschedulable` (a node that was schedulable before).
    public var cordoned: Bool

    /// A change from its parts (as the journal keeps it).
    public init(path: String, taints: [KubeTaint], cordoned: Bool) {
        self.path = path
        self.taints = taints
        self.cordoned = cordoned
    }

    /// The change that adds `taints` (and cordons, if `cordon`) to `object` as read from `path`,
    /// and its patch.
    ///
    /// - Throws: ``KubeError`` `conflict` when the object already carries one of the taints (a
    ///   run that was not rolled back), naming it.
    public static func inject(_ taints: [KubeTaint], cordon: Bool, into object: KubeJSON, at path: String) throws -> (change: TaintChange, patch: KubeJSON) {
        let existing = object[path: "spec.taints"]?.array ?? []
        var ops: [KubeJSON] = []
        if let version = object[path: "metadata.resourceVersion"]?.string {
            ops.append(["op": "test", "path": "/metadata/resourceVersion", "value": .string(version)])
        }
        for taint in taints {
            if let held = existing.first(where: { $0["key"]?.string == taint.key && $0["effect"]?.string == taint.effect }) {
                throw KubeError(code: .conflict, message: "already carries the taint \(held["key"]?.string ?? ""):\(taint.effect) (value \(held["value"]?.string ?? "none")); if an earlier run left it, `quake rollback` removes it", location: path)
            }
        }
        if taints.isEmpty {
            // A cordon alone (a drain).
        } else if object[path: "spec.taints"]?.array == nil {
            ops.append(["op": "add", "path": "/spec/taints", "value": .array(taints.map(\.json))])
        } else {
            for taint in taints { ops.append(["op": "add", "path": "/spec/taints/-", "value": taint.json]) }
        }
        let wasSchedulable = object[path: "spec.unschedulable"]?.bool != true
        let cordons = cordon && wasSchedulable
        if cordons { ops.append(["op": "add", "path": "/spec/unschedulable", "value": true]) }
        return (TaintChange(path: path, taints: taints, cordoned: cordons), .array(ops))
    }

    /// The patch that takes this change away from `object` as it is now: each of Quake's taints
    /// still there, and the cordon if Quake made it and it still holds. Nil when nothing is left
    /// to undo (the revert was made already, or someone else undid it).
    public func revert(from object: KubeJSON) -> KubeJSON? {
        let existing = object[path: "spec.taints"]?.array ?? []
        var ops: [KubeJSON] = []
        // Highest index first, so that each removal leaves the next one's index as tested.
        let indices = existing.indices.filter { i in taints.contains { $0.matches(existing[i]) } }
        for i in indices.reversed() {
            ops.append(["op": "test", "path": .string("/spec/taints/\(i)/key"), "value": existing[i]["key"] ?? .null])
            ops.append(["op": "remove", "path": .string("/spec/taints/\(i)")])
        }
        if cordoned && object[path: "spec.unschedulable"]?.bool == true {
            ops.append(["op": "replace", "path": "/spec/unschedulable", "value": false])
        }
        return ops.isEmpty ? nil : .array(ops)
    }

    /// Whether `object` shows none of this change any more: the confirmation of a revert.
    public func isGone(from object: KubeJSON) -> Bool {
        let existing = object[path: "spec.taints"]?.array ?? []
        return !existing.contains { taint in taints.contains { $0.matches(taint) } } && !(cordoned && object[path: "spec.unschedulable"]?.bool == true)
    }
}
