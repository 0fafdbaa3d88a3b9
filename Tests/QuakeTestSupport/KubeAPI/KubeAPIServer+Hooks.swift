/// What tests do to the double besides sending requests: seed and read objects, change them as
/// another actor would (a controller, a kubelet, another user), revoke tokens, force watch
/// bookmarks and 410s, and make the server hang.
extension KubeAPIServer {
    /// Stores `object` as a create would (uid, creationTimestamp unless given, generation, the
    /// next resourceVersion), creating its namespace if missing, and tells the watches; returns it.
    /// An object of the same name is replaced.
    ///
    /// The resource comes from the object's `apiVersion` and `kind`; objects the
    /// ``KubeAPIObjects`` builders make are ready to seed.
    @discardableResult
    public func seed(_ object: KubeAPIJSON) throws -> KubeAPIJSON {
        let apiVersion = object["apiVersion"].string ?? ""
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        guard let resource = KubeAPIResource.find(group: group, kind: object["kind"].string ?? ""), let name = object["metadata"]["name"].string else {
            throw LoopbackTLSServer.Failure(description: "cannot seed an object of apiVersion \(apiVersion), kind \(object["kind"].string ?? "none"), without a name or of a resource the double does not serve")
        }
        let namespace = resource.namespaced ? (object["metadata"]["namespace"].string ?? "default") : nil
        return service.store.transaction { state in
            if let namespace {
                let namespaceKey = KubeAPIObjectKey(resource: .namespaces, namespace: nil, name: namespace)
                if state.object(namespaceKey) == nil {
                    state.put(KubeAPIService.newObject(KubeAPIObjects.namespace(namespace), resource: .namespaces, namespace: nil), at: namespaceKey)
                }
            }
            return state.put(KubeAPIService.newObject(object, resource: resource, namespace: namespace), at: KubeAPIObjectKey(resource: resource, namespace: namespace, name: name))
        }
    }

    /// The stored object, or `nil`.
    public func object(_ resource: KubeAPIResource, _ name: String, namespace: String? = nil) -> KubeAPIJSON? {
        let key = KubeAPIObjectKey(resource: resource, namespace: resource.namespaced ? (namespace ?? "default") : nil, name: name)
        return service.store.transaction { $0.object(key) }
    }

    /// Changes a stored object as another actor would: `change` edits it (status included), the
    /// change gets the next resourceVersion and the watches see a MODIFIED event. Returns the
    /// stored object.
    ///
    /// - Throws: ``LoopbackTLSServer/Failure`` when there is no such object, or what `change` threw.
    @discardableResult
    public func mutate(_ resource: KubeAPIResource, _ name: String, namespace: String? = nil, _ change: (inout KubeAPIJSON) throws -> Void) throws -> KubeAPIJSON {
        let key = KubeAPIObjectKey(resource: resource, namespace: resource.namespaced ? (namespace ?? "default") : nil, name: name)
        return try service.store.transaction { state in
            guard var object = state.object(key) else { throw LoopbackTLSServer.Failure(description: "no \(resource) \(name) to mutate") }
            try change(&object)
            return state.put(object, at: key)
        }
    }

    /// Deletes a stored object as another actor would; watches see DELETED. Returns whether it existed.
    @discardableResult
    public func remove(_ resource: KubeAPIResource, _ name: String, namespace: String? = nil) -> Bool {
        let key = KubeAPIObjectKey(resource: resource, namespace: resource.namespaced ? (namespace ?? "default") : nil, name: name)
        return service.store.transaction { $0.remove(key) != nil }
    }

    /// The current resourceVersion (the last change's).
    public var resourceVersion: Int { service.store.revision }

    /// Makes `token` invalid from now on: requests carrying it get 401.
    public func revoke(token: String) {
        service.revoke(token: token)
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watch that allows bookmarks.
    public func sendBookmarks() {
        service.store.sendBookmarks()
    }

    /// Forgets the change history, as etcd compaction does: a watch from an earlier
    /// resourceVersion gets a 410 `Expired` ERROR event and must list again.
    public func compact() {
        service.store.compact()
    }

    /// From now on, requests are read but not answered (connections and TLS handshakes still
    /// complete), and open watches send nothing, as from an API server that hangs.
    /// ``resume()`` sends what the watches held and answers the requests whose clients still wait.
    public func hang() {
        service.hang()
    }

    /// Ends a ``hang()``: the watches send what they held, the held requests are answered, and
    /// every later one at once.
    public func resume() {
        service.resume()
    }
}
