/// Kubernetes' strategic merge patch (`application/strategic-merge-patch+json`), for built-in
/// kinds only: a merge patch in which the lists that the Go types mark `patchStrategy:"merge"`
/// merge element by element on their key instead of being replaced.
///
/// Lists not in ``mergeKeys`` are replaced whole, as the real server does for `spec.taints` of a
/// Node (no patch strategy: kubectl taint sends the whole list). Directives: `$patch: replace`
/// and `$patch: delete` (on a map or on a list element), `$deleteFromPrimitiveList/<list>`, and
/// `$setElementOrder/<list>`, which is accepted and dropped (element order is not enforced).
enum StrategicMergePatch {
    /// The patch is not a JSON object or uses a directive the double does not know (400).
    struct Malformed: Error {
        let reason: String
    }

    /// Lists merged on a key, by their path of field names (list elements add no name).
    static let mergeKeys: [String: String] = [
        "metadata.ownerReferences": "uid",
        "status.conditions": "type",
        "status.addresses": "type",
        "spec.containers": "name",
        "spec.initContainers": "name",
        "spec.volumes": "name",
        "spec.containers.env": "name",
        "spec.containers.ports": "containerPort",
        "spec.containers.volumeMounts": "mountPath",
        "spec.template.spec.containers": "name",
        "spec.template.spec.volumes": "name",
        "status.containerStatuses": "name",
    ]

    /// Lists of scalars whose patch is a union (`patchStrategy:"merge"` without a key).
    static let mergedScalarLists: Set<String> = ["metadata.finalizers", "spec.podCIDRs"]

    /// `target` with `patch` applied.
    static func apply(_ patch: KubeAPIJSON, to target: KubeAPIJSON) throws -> KubeAPIJSON {
        guard patch.members != nil else { throw Malformed(reason: "a strategic merge patch is a JSON object") }
        return try merge(patch, into: target, path: "")
    }

    private static func merge(_ patch: KubeAPIJSON, into target: KubeAPIJSON, path: String) throws -> KubeAPIJSON {
        guard let members = patch.members else { return patch }
        if let directive = patch["$patch"].string {
            switch directive {
            case "replace": return .object(members.filter { $0.key != "$patch" })
            case "delete": return .null
            default: throw Malformed(reason: "unknown $patch directive \"\(directive)\"")
            }
        }
        var result = target.members == nil ? KubeAPIJSON.object([]) : target
        for (key, value) in members {
            if key.hasPrefix("$setElementOrder/") || key == "$retainKeys" { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.array ?? []
                result[list] = .array((result[list].array ?? []).filter { !removed.contains($0) })
                continue
            }
            if key.hasPrefix("$") { throw Malformed(reason: "unknown directive \(key)") }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if value == .null {
                result[key] = .null
            } else if let elements = value.array {
                result[key] = try mergeList(elements, into: result[key].array ?? [], path: childPath)
            } else {
                result[key] = try merge(value, into: result[key], path: childPath)
            }
        }
        return result
    }

    private static func mergeList(_ patch: [KubeAPIJSON], into target: [KubeAPIJSON], path: String) throws -> KubeAPIJSON {
        if mergedScalarLists.contains(path) {
            return .array(target + patch.filter { !target.contains($0) })
        }
        guard let key = mergeKeys[path] else {
            return .array(patch)
        }
        var result = target
        for element in patch {
            let identity = element[key]
            let index = result.firstIndex { $0[key] == identity }
            if element["$patch"].string == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = try merge(element, into: result[index], path: path)
            } else {
                result.append(try merge(element, into: .object([]), path: path))
            }
        }
        return .array(result)
    }
}
