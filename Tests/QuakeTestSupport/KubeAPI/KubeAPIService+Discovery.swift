/// The paths every authenticated user may read (the `system:discovery` role's): `/version`,
/// health checks, and the legacy discovery documents kubectl and client-go read before a
/// request: `/api`, `/api/v1`, `/apis`, `/apis/{group}` and `/apis/{group}/{version}`.
///
/// The double answers aggregated-discovery requests with the legacy documents and a plain
/// `application/json` type, which tells clients to fall back, as an older server would.
extension KubeAPIService {
    /// The version the double claims to be.
    static let version: KubeAPIJSON = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "quake-kube-api-double", "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23", "compiler": "gc", "platform": "linux/amd64",
    ]

    func discovery(_ request: KubeAPIRequest, segments: [String]) -> Reply? {
        guard request.method == "GET" else { return nil }
        switch segments.count {
        case 1 where segments[0] == "version":
            return .json(200, Self.version)
        case 1 where ["healthz", "readyz", "livez"].contains(segments[0]):
            return .response(status: 200, contentType: "text/plain; charset=utf-8", body: "ok")
        case 1 where segments[0] == "api":
            return .json(200, ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []])
        case 1 where segments[0] == "apis":
            return .json(200, ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(Self.groups.map(Self.group))])
        case 2 where segments[0] == "api" && segments[1] == "v1":
            return .json(200, Self.resourceList(group: "", version: "v1"))
        case 2 where segments[0] == "apis":
            guard Self.groups.contains(segments[1]) else { return nil }
            return .json(200, ["kind": "APIGroup", "apiVersion": "v1"] + Self.group(segments[1]))
        case 3 where segments[0] == "apis":
            guard KubeAPIResource.all.contains(where: { $0.group == segments[1] && $0.versions.contains(segments[2]) }) else { return nil }
            return .json(200, Self.resourceList(group: segments[1], version: segments[2]))
        default:
            if segments.first != "api" && segments.first != "apis" {
                return .response(status: 404, contentType: "text/plain; charset=utf-8", body: "404 page not found\n")
            }
            return nil
        }
    }

    /// The named groups, in the order the resources list them.
    private static var groups: [String] {
        var groups: [String] = []
        for resource in KubeAPIResource.all where !resource.group.isEmpty && !groups.contains(resource.group) {
            groups.append(resource.group)
        }
        return groups
    }

    private static func group(_ name: String) -> KubeAPIJSON {
        var versions: [String] = []
        for resource in KubeAPIResource.all where resource.group == name {
            for version in resource.versions where !versions.contains(version) { versions.append(version) }
        }
        let entries = versions.map { version -> KubeAPIJSON in ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)] }
        return ["name": .string(name), "versions": .array(entries), "preferredVersion": entries[0]]
    }

    private static func resourceList(group: String, version: String) -> KubeAPIJSON {
        var resources: [KubeAPIJSON] = []
        for resource in KubeAPIResource.all where resource.group == group && resource.versions.contains(version) {
            var entry: KubeAPIJSON = [
                "name": .string(resource.plural), "singularName": .string(resource.singular), "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind), "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(KubeAPIJSON.string)) }
            resources.append(entry)
            if resource == .pods {
                resources.append([
                    "name": "pods/eviction", "singularName": "", "namespaced": true, "group": "policy", "version": "v1",
                    "kind": "Eviction", "verbs": ["create"],
                ])
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}

extension KubeAPIJSON {
    /// The members of `lhs` followed by those of `rhs` (both objects).
    static func + (lhs: KubeAPIJSON, rhs: KubeAPIJSON) -> KubeAPIJSON {
        .object((lhs.members ?? []) + (rhs.members ?? []))
    }
}
