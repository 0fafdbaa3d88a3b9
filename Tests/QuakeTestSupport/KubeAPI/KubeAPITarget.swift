/// What a resource URL names: `/api/v1/namespaces/{ns}/pods/{name}/eviction` or
/// `/apis/{group}/{version}/{plural}[/{name}]`.
struct KubeAPITarget {
    let resource: KubeAPIResource
    let version: String
    let namespace: String?
    let name: String?
    let subresource: String?

    /// Parses the path segments; throws a 404 `Status` for a resource the double does not serve.
    init(segments: [String]) throws {
        let group: String
        let rest: ArraySlice<String>
        if segments.first == "api", segments.count >= 3 {
            (group, version, rest) = ("", segments[1], segments.dropFirst(2))
        } else if segments.first == "apis", segments.count >= 4 {
            (group, version, rest) = (segments[1], segments[2], segments.dropFirst(3))
        } else {
            throw KubeAPIStatus.unknownPath
        }
        var parts = Array(rest)
        var namespace: String?
        if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard parts.count <= 3, let resource = KubeAPIResource.find(group: group, version: version, plural: parts[0]),
              resource.namespaced || namespace == nil
        else {
            throw KubeAPIStatus.unknownPath
        }
        self.resource = resource
        self.namespace = namespace
        self.name = parts.count > 1 ? parts[1] : nil
        self.subresource = parts.count > 2 ? parts[2] : nil
    }

    /// The key of the named object.
    var key: KubeAPIObjectKey? {
        name.map { KubeAPIObjectKey(resource: resource, namespace: resource.namespaced ? namespace : nil, name: $0) }
    }

    /// The RBAC verb of `request` on this target.
    func verb(_ request: KubeAPIRequest) -> String {
        switch request.method {
        case "GET", "HEAD":
            if request.flag("watch") { return "watch" }
            return name == nil ? "list" : "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }
}
