import Foundation

/// Karmada's cluster proxy, `/apis/cluster.karmada.io/v1alpha1/clusters/{name}/proxy/{rest}`, as
/// karmada-aggregated-apiserver serves it: the caller must be allowed the `clusters/proxy`
/// subresource with the verb of the request's method (`get` for any GET, a watch or a list
/// included, as for every named subresource), the Cluster must exist (its Ready condition is not
/// checked, as Karmada does not), and the request goes to the member at the Cluster's
/// `spec.apiEndpoint` as `/{rest}`, with the same method, query, headers and body, the member
/// deciding as the caller (Karmada impersonates the caller's name and groups).
extension KubeAPIService {
    /// The proxied request for `member`, or a refusal; `nil` when `segments` is no proxy path.
    func proxy(_ request: KubeAPIRequest, segments: [String], user: KubeAPIUser) -> Reply? {
        guard segments.count >= 6, Array(segments[0..<4]) == ["apis", "cluster.karmada.io", "v1alpha1", "clusters"], segments[5] == "proxy" else { return nil }
        let name = segments[4]
        let verb = Self.connectVerb(request.method)
        guard user.may(verb, "clusters/proxy") else {
            return .failure(.forbidden(user: user.name, verb: verb, resource: .clusters, subresource: "proxy", namespace: nil, name: name))
        }
        guard let cluster = store.transaction({ $0.object(KubeAPIObjectKey(resource: .clusters, namespace: nil, name: name)) }) else {
            return .failure(.notFound(.clusters, name))
        }
        guard let endpoint = cluster[path: ["spec", "apiEndpoint"]].string, !endpoint.isEmpty else {
            return .failure(.internalError("API endpoint of cluster \(name) should not be empty"))
        }
        guard let member = member(at: endpoint) else {
            let host = URL(string: endpoint).map { "\($0.host ?? ""):\($0.port ?? 443)" } ?? endpoint
            return .failure(.internalError("dial tcp \(host): connect: connection refused"))
        }
        return .proxy(member: member, request: request.forwarded(path: "/" + segments.dropFirst(6).joined(separator: "/")), caller: user)
    }

    /// The RBAC verb of a request to a connect subresource such as `clusters/proxy`: from the
    /// method alone, since the URL names the object.
    static func connectVerb(_ method: String) -> String {
        switch method {
        case "GET", "HEAD": return "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return "delete"
        default: return method.lowercased()
        }
    }
}
