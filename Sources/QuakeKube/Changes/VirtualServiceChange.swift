import QuakeCore

/// An HTTP fault put into an Istio VirtualService: every route of its `http` list gets a `fault`
/// block (an abort or a delay of a share of requests), by merge patch of the whole list, since a
/// merge patch replaces arrays (SEMANTICS §5.3). The list as it was is kept (in the journal), and
/// the revert puts it back only if the list is still exactly as Quake left it.
public struct VirtualServiceChange: Sendable, Equatable, Codable {
    /// The VirtualService's API path.
    public var path: String
    /// `spec.http` before the fault.
    public var original: KubeJSON
    /// `spec.http` as Quake patched it.
    public var patched: KubeJSON

    /// Istio's `fault` block for an HTTP abort or delay.
    public static func faultBlock(_ fault: Fault) -> KubeJSON? {
        switch fault {
        case let .httpAbort(_, status, percentage):
            return ["abort": ["httpStatus": .number(Double(status)), "percentage": ["value": .number(percentage.percent)]]]
        case let .httpDelay(_, delay, percentage):
            return ["delay": ["fixedDelay": .string(Self.duration(delay)), "percentage": ["value": .number(percentage.percent)]]]
        default:
            return nil
        }
    }

    /// A duration as Istio writes it: whole milliseconds (`250ms`) or seconds (`5s`).
    static func duration(_ span: TimeSpan) -> String {
        let ms = (span.microseconds + 500) / 1000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    /// The change that puts `block` on every HTTP route of `virtualService` (read from `path`),
    /// and its merge patch, whose resourceVersion makes it fail if the object changed since.
    ///
    /// - Throws: ``KubeError`` `conflict` when a route already has a fault (Quake would replace
    ///   the user's own), `api` when the object has no `spec.http` routes.
    public static func inject(_ block: KubeJSON, into virtualService: KubeJSON, at path: String) throws -> (change: VirtualServiceChange, patch: KubeJSON) {
        guard let routes = virtualService[path: "spec.http"]?.array, !routes.isEmpty else {
            throw KubeError(code: .api, message: "has no spec.http routes to put a fault on", location: path)
        }
        var patched: [KubeJSON] = []
        for (i, route) in routes.enumerated() {
            guard case var .object(fields) = route else {
                throw KubeError(code: .api, message: "spec.http[\(i)] is not an object", location: path)
            }
            if fields["fault"] != nil {
                throw KubeError(code: .conflict, message: "spec.http[\(i)] already has a fault block; Quake leaves the user's own fault alone (remove it, or fault another service)", location: path)
            }
            fields["fault"] = block
            patched.append(.object(fields))
        }
        let change = VirtualServiceChange(path: path, original: .array(routes), patched: .array(patched))
        return (change, Self.mergePatch(http: change.patched, over: virtualService))
    }

    /// The merge patch that restores the original list on `virtualService` as it is now; nil when
    /// the original is already there.
    ///
    /// - Throws: ``KubeError`` `conflict` when someone else changed the list since the injection:
    ///   Quake does not overwrite their change, and says what to compare.
    public func revert(from virtualService: KubeJSON) throws -> KubeJSON? {
        let current = virtualService[path: "spec.http"] ?? .null
        if current == original { return nil }
        guard current == patched else {
            throw KubeError(code: .conflict, message: "spec.http was changed by someone else after Quake's fault, so it was not restored; the list before the fault is in the run's journal", location: path)
        }
        return Self.mergePatch(http: original, over: virtualService)
    }

    /// Whether `virtualService` shows the list as it was before the fault.
    public func isGone(from virtualService: KubeJSON) -> Bool {
        (virtualService[path: "spec.http"] ?? .null) == original
    }

    static func mergePatch(http: KubeJSON, over object: KubeJSON) -> KubeJSON {
        var patch: [String: KubeJSON] = ["spec": ["http": http]]
        if let version = object[path: "metadata.resourceVersion"] { patch["metadata"] = ["resourceVersion": version] }
        return .object(patch)
    }
}
