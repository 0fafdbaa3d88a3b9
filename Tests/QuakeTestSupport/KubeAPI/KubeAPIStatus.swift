/// A refused request: the HTTP code and the `Status` object the real kube-apiserver sends for
/// it, built the way apimachinery's error constructors build theirs.
struct KubeAPIStatus: Error {
    let code: Int
    let body: KubeAPIJSON

    private init(code: Int, reason: String, message: String, details: KubeAPIJSON?) {
        self.code = code
        var body: KubeAPIJSON = ["kind": "Status", "apiVersion": "v1", "metadata": .object([]), "status": "Failure", "message": .string(message), "reason": .string(reason)]
        if let details { body["details"] = details }
        body["code"] = .int(code)
        self.body = body
    }

    /// `details` as the real server fills it: name, group (when not core), kind (the plural), in that order.
    private static func details(_ resource: KubeAPIResource, name: String) -> KubeAPIJSON {
        var details = KubeAPIJSON.object([])
        if !name.isEmpty { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.plural)
        return details
    }

    /// 404: `nodes "x" not found`.
    static func notFound(_ resource: KubeAPIResource, _ name: String) -> KubeAPIStatus {
        KubeAPIStatus(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found", details: details(resource, name: name))
    }

    /// 404 for a path the server does not serve.
    static let unknownPath = KubeAPIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: .object([]))

    /// 409: `nodes "x" already exists`.
    static func alreadyExists(_ resource: KubeAPIResource, _ name: String) -> KubeAPIStatus {
        KubeAPIStatus(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists", details: details(resource, name: name))
    }

    /// 409: a stale resourceVersion (update, patch or delete precondition).
    static func conflict(_ resource: KubeAPIResource, _ name: String, _ why: String = "the object has been modified; please apply your changes to the latest version and try again") -> KubeAPIStatus {
        KubeAPIStatus(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)", details: details(resource, name: name))
    }

    /// 401, for a request without valid credentials.
    static let unauthorized = KubeAPIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized", details: nil)

    /// 403, with RBAC's message: `nodes "n1" is forbidden: User "x" cannot patch resource "nodes" in API group "" at the cluster scope`.
    static func forbidden(user: String, verb: String, resource: KubeAPIResource, subresource: String?, namespace: String?, name: String) -> KubeAPIStatus {
        let target = subresource.map { "\(resource.plural)/\($0)" } ?? resource.plural
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let why = "User \"\(user)\" cannot \(verb) resource \"\(target)\" in API group \"\(resource.group)\" \(scope)"
        let message = name.isEmpty ? "\(resource) is forbidden: \(why)" : "\(resource) \"\(name)\" is forbidden: \(why)"
        return KubeAPIStatus(code: 403, reason: "Forbidden", message: message, details: details(resource, name: name))
    }

    /// 400 with the reason as message.
    static func badRequest(_ message: String) -> KubeAPIStatus {
        KubeAPIStatus(code: 400, reason: "BadRequest", message: message, details: nil)
    }

    /// 500 for a failure the server did not expect, as `errors.NewInternalError` words it.
    static func internalError(_ message: String) -> KubeAPIStatus {
        KubeAPIStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)", details: ["causes": [["message": .string(message)]]])
    }

    /// 405 for a verb the resource does not support.
    static func methodNotSupported(_ resource: KubeAPIResource, _ action: String) -> KubeAPIStatus {
        var details = KubeAPIJSON.object([])
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.plural)
        return KubeAPIStatus(code: 405, reason: "MethodNotAllowed", message: "\(action) is not supported on resources of kind \"\(resource)\"", details: details)
    }

    /// 406 when the client accepts no media type the server can send.
    static func notAcceptable(_ accepted: [String]) -> KubeAPIStatus {
        KubeAPIStatus(code: 406, reason: "NotAcceptable", message: "only the following media types are accepted: \(accepted.joined(separator: ", "))", details: nil)
    }

    /// 415 for a patch (or body) in a media type the resource does not take.
    static func unsupportedMediaType(_ accepted: [String]) -> KubeAPIStatus {
        KubeAPIStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))", details: nil)
    }

    /// 415 for server-side apply, which this double does not implement (a real server would apply).
    static let applyNotImplemented = KubeAPIStatus(code: 415, reason: "UnsupportedMediaType", message: "the Kubernetes API test double does not implement server-side apply (application/apply-patch+yaml)", details: nil)

    /// 422 for a JSON patch that cannot be applied (a failed `test`, a missing path), as the real
    /// server words it: the patch library's reason is not passed on.
    static let patchNotApplicable = KubeAPIStatus(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", details: .object([]))

    /// 422 for an invalid object.
    static func invalid(_ resource: KubeAPIResource, _ name: String, field: String, _ why: String) -> KubeAPIStatus {
        var details: KubeAPIJSON = ["name": .string(name)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.kind)
        details["causes"] = [["reason": "FieldValueInvalid", "message": .string("Invalid value: \(why)"), "field": .string(field)]]
        let kind = resource.group.isEmpty ? resource.kind : "\(resource.kind).\(resource.group)"
        return KubeAPIStatus(code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(field): Invalid value: \(why)", details: details)
    }

    /// 429 from the eviction subresource when a PodDisruptionBudget allows no disruption.
    static func disruptionBudget(_ budget: String, desiredHealthy: Int, currentHealthy: Int) -> KubeAPIStatus {
        let cause: KubeAPIJSON = ["reason": "DisruptionBudget", "message": .string("The disruption budget \(budget) needs \(desiredHealthy) healthy pods and has \(currentHealthy) currently")]
        return KubeAPIStatus(code: 429, reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.", details: ["causes": [cause]])
    }

    /// 500 from the eviction subresource when more than one budget selects the pod.
    static let manyDisruptionBudgets = KubeAPIStatus(code: 500, reason: "InternalError", message: "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", details: ["causes": [["message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."]]])

    /// The body of a watch `ERROR` event when the requested resourceVersion is no longer kept (410).
    static func expired(requested: Int, oldest: Int) -> KubeAPIStatus {
        KubeAPIStatus(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))", details: nil)
    }

    /// The `Status` a successful eviction answers with (201).
    static let evicted: KubeAPIJSON = ["kind": "Status", "apiVersion": "v1", "metadata": .object([]), "status": "Success", "code": 201]
}
