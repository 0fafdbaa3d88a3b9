import Foundation

/// The verbs on resources: get, list, watch, create, update and delete (patch in
/// `KubeAPIService+Patch.swift`), with the real
/// server's checks (resourceVersion preconditions, namespaces that must exist, names that must
/// match the URL) and its `Status` bodies when they fail.
extension KubeAPIService {
    func serve(_ request: KubeAPIRequest, target: KubeAPITarget, verb: String) throws -> Reply {
        if let subresource = target.subresource {
            guard subresource == "eviction", target.resource == .pods, verb == "create" else { throw KubeAPIStatus.unknownPath }
            return try evict(request, target: target)
        }
        guard let presentation = KubeAPIPresentation.negotiate(request) else {
            throw KubeAPIStatus.notAcceptable(["application/json", "application/json;as=Table;v=v1;g=meta.k8s.io"])
        }
        switch verb {
        case "get":
            guard let key = target.key, let object = store.transaction({ $0.object(key) }) else {
                throw KubeAPIStatus.notFound(target.resource, target.name ?? "")
            }
            return .json(200, KubeAPITable.present(object, of: target.resource, version: target.version, as: presentation, inList: false), contentType: presentation.contentType)
        case "list":
            return try list(request, target: target, presentation: presentation)
        case "watch":
            return .watch(try KubeAPIWatchPlan(request, target: target, presentation: presentation))
        case "create":
            return try create(request, target: target)
        case "update":
            return try update(request, target: target)
        case "patch":
            return try patch(request, target: target, presentation: presentation)
        case "delete":
            return try delete(request, target: target)
        default:
            throw KubeAPIStatus.methodNotSupported(target.resource, verb)
        }
    }

    private func list(_ request: KubeAPIRequest, target: KubeAPITarget, presentation: KubeAPIPresentation) throws -> Reply {
        let labels = try request.query["labelSelector"].map(KubeAPILabelSelector.init(parsing:))
        let fields = try request.query["fieldSelector"].map { try KubeAPIFieldSelector(parsing: $0, for: target.resource) }
        let (all, revision) = store.transaction { state in
            (state.objects(target.resource, namespace: target.namespace), state.revision)
        }
        var matching = all.filter { entry in
            (labels?.matches(entry.object["metadata"]["labels"].stringMap) ?? true) && (fields?.matches(entry.object) ?? true)
        }
        // `continue` carries the last key returned, so a page starts after it.
        if let token = request.query["continue"], !token.isEmpty {
            guard let data = Data(base64Encoded: token), let after = String(data: data, encoding: .utf8) else {
                throw KubeAPIStatus.badRequest("continue key is not valid: \(token)")
            }
            matching.removeAll { "\($0.key.namespace ?? "")/\($0.key.name)" <= after }
        }
        var metadata: KubeAPIJSON = ["resourceVersion": .string(String(revision))]
        if let limit = request.query["limit"].flatMap(Int.init), limit > 0, matching.count > limit {
            let remaining = matching.count - limit
            matching = Array(matching.prefix(limit))
            let last = matching[matching.count - 1].key
            metadata["continue"] = .string(Data("\(last.namespace ?? "")/\(last.name)".utf8).base64EncodedString())
            metadata["remainingItemCount"] = .int(remaining)
        }
        let body = KubeAPITable.list(matching.map(\.object), of: target.resource, version: target.version, as: presentation, metadata: metadata)
        return .json(200, body, contentType: presentation.contentType)
    }

    private func create(_ request: KubeAPIRequest, target: KubeAPITarget) throws -> Reply {
        guard target.name == nil else { throw KubeAPIStatus.methodNotSupported(target.resource, "create") }
        var object = try body(of: request, for: target)
        if object["metadata"]["name"].string == nil, let prefix = object["metadata"]["generateName"].string {
            object[path: ["metadata", "name"]] = .string(prefix + String(UUID().uuidString.lowercased().prefix(5)))
        }
        guard let name = object["metadata"]["name"].string, !name.isEmpty else {
            throw KubeAPIStatus.invalid(target.resource, "", field: "metadata.name", "name or generateName is required")
        }
        let namespace = try namespace(of: object, target: target)
        let key = KubeAPIObjectKey(resource: target.resource, namespace: namespace, name: name)
        let created = try store.transaction { state -> KubeAPIJSON in
            if let namespace, state.object(KubeAPIObjectKey(resource: .namespaces, namespace: nil, name: namespace)) == nil {
                throw KubeAPIStatus.notFound(.namespaces, namespace)
            }
            guard state.object(key) == nil else { throw KubeAPIStatus.alreadyExists(target.resource, name) }
            return state.put(Self.newObject(object, resource: target.resource, namespace: namespace), at: key)
        }
        return .json(201, KubeAPITable.present(created, of: target.resource, version: target.version, as: .json, inList: false))
    }

    /// `object` with the fields the server sets on creation: uid, creationTimestamp, generation, namespace.
    static func newObject(_ object: KubeAPIJSON, resource: KubeAPIResource, namespace: String?) -> KubeAPIJSON {
        var created = object
        created["apiVersion"] = .string(resource.apiVersion)
        created["kind"] = .string(resource.kind)
        if let namespace { created[path: ["metadata", "namespace"]] = .string(namespace) }
        created[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        created[path: ["metadata", "generation"]] = 1
        if created["metadata"]["creationTimestamp"].string == nil {
            created[path: ["metadata", "creationTimestamp"]] = .string(timestamp())
        }
        return created
    }

    private func update(_ request: KubeAPIRequest, target: KubeAPITarget) throws -> Reply {
        guard let key = target.key else { throw KubeAPIStatus.methodNotSupported(target.resource, "update") }
        let object = try body(of: request, for: target)
        guard object["metadata"]["name"].string == key.name else {
            throw KubeAPIStatus.badRequest("the name of the object (\(object["metadata"]["name"].string ?? "")) does not match the name on the URL (\(key.name))")
        }
        _ = try namespace(of: object, target: target)
        if target.resource.isCustom, object["metadata"]["resourceVersion"].string ?? "" == "" {
            throw KubeAPIStatus.invalid(target.resource, key.name, field: "metadata.resourceVersion", "0x0: must be specified for an update")
        }
        let updated = try store.transaction { state in
            try Self.replace(key, with: object, in: &state)
        }
        return .json(200, KubeAPITable.present(updated, of: target.resource, version: target.version, as: .json, inList: false))
    }

    /// Stores `object` in place of the object at `key` as an update does: a resourceVersion in it
    /// must be the current one (409 otherwise); identity fields and, where the resource has a
    /// status subresource, the status stay the stored ones; generation counts spec changes.
    static func replace(_ key: KubeAPIObjectKey, with object: KubeAPIJSON, in state: inout KubeAPIStore.State) throws -> KubeAPIJSON {
        guard let current = state.object(key) else { throw KubeAPIStatus.notFound(key.resource, key.name) }
        if let wanted = object["metadata"]["resourceVersion"].string, !wanted.isEmpty, wanted != current["metadata"]["resourceVersion"].string {
            throw KubeAPIStatus.conflict(key.resource, key.name)
        }
        var next = object
        next["apiVersion"] = current["apiVersion"]
        next["kind"] = current["kind"]
        for field in ["name", "namespace", "uid", "creationTimestamp", "generation"] {
            next[path: ["metadata", field]] = current["metadata"][field]
        }
        if key.resource.hasStatus { next["status"] = current["status"] }
        if next["spec"] != current["spec"] {
            next[path: ["metadata", "generation"]] = .int((current["metadata"]["generation"].int ?? 1) + 1)
        }
        if next == current.withResourceVersion(next["metadata"]["resourceVersion"]) {
            // Nothing changed: the real server answers with the stored object and no new revision.
            return current
        }
        return state.put(next, at: key)
    }

    private func delete(_ request: KubeAPIRequest, target: KubeAPITarget) throws -> Reply {
        guard let key = target.key else { throw KubeAPIStatus.methodNotSupported(target.resource, "deletecollection") }
        let options = request.body.isEmpty ? KubeAPIJSON.object([]) : try parsedBody(request)
        let deleted = try store.transaction { state -> KubeAPIJSON in
            guard let current = state.object(key) else { throw KubeAPIStatus.notFound(target.resource, key.name) }
            let preconditions = options["preconditions"]
            if let version = preconditions["resourceVersion"].string, version != current["metadata"]["resourceVersion"].string {
                throw KubeAPIStatus.conflict(target.resource, key.name, "the ResourceVersion in the precondition (\(version)) does not match the ResourceVersion in record (\(current["metadata"]["resourceVersion"].string ?? "")). The object might have been modified")
            }
            if let uid = preconditions["uid"].string, uid != current["metadata"]["uid"].string {
                throw KubeAPIStatus.conflict(target.resource, key.name, "the UID in the precondition (\(uid)) does not match the UID in record (\(current["metadata"]["uid"].string ?? "")). The object might have been deleted and then recreated")
            }
            state.remove(key)
            return current
        }
        return .json(200, KubeAPITable.present(deleted, of: target.resource, version: target.version, as: .json, inList: false))
    }

    // MARK: Bodies

    func parsedBody(_ request: KubeAPIRequest) throws -> KubeAPIJSON {
        do {
            return try KubeAPIJSON(parsing: request.body)
        } catch {
            throw KubeAPIStatus.badRequest("the body of the request could not be decoded: \(error)")
        }
    }

    /// The object a create or update sends, which must be JSON of the target's kind.
    private func body(of request: KubeAPIRequest, for target: KubeAPITarget) throws -> KubeAPIJSON {
        guard request.contentType == "application/json" || request.contentType.isEmpty else {
            throw KubeAPIStatus.unsupportedMediaType(["application/json"])
        }
        let object = try parsedBody(request)
        if let kind = object["kind"].string, kind != target.resource.kind {
            throw KubeAPIStatus.badRequest("the kind of the object (\(kind)) does not match the resource \(target.resource)")
        }
        return object
    }

    /// The namespace an object goes into: the URL's, which one in the body must agree with.
    private func namespace(of object: KubeAPIJSON, target: KubeAPITarget) throws -> String? {
        guard target.resource.namespaced else { return nil }
        if let inBody = object["metadata"]["namespace"].string, !inBody.isEmpty, inBody != target.namespace {
            throw KubeAPIStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return target.namespace ?? "default"
    }

    /// Now as a Kubernetes timestamp (RFC 3339, seconds, UTC).
    static func timestamp(_ date: Date = Date()) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

extension KubeAPIJSON {
    /// A copy whose `metadata.resourceVersion` is `version`.
    func withResourceVersion(_ version: KubeAPIJSON) -> KubeAPIJSON {
        var copy = self
        copy[path: ["metadata", "resourceVersion"]] = version
        return copy
    }
}
