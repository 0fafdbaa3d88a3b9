/// RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge member by member,
/// `null` removes a member, and anything else (arrays included) replaces what was there.
enum JSONMergePatch {
    /// `target` with `patch` merged in.
    static func apply(_ patch: KubeAPIJSON, to target: KubeAPIJSON) -> KubeAPIJSON {
        guard let members = patch.members else { return patch }
        var result = target.members == nil ? KubeAPIJSON.object([]) : target
        for (key, value) in members {
            result[key] = value == .null ? .null : apply(value, to: result[key])
        }
        return result
    }
}
