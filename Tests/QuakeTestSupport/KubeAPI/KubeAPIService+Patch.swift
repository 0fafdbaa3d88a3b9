/// PATCH in the four media types kube-apiserver takes, with its answers: JSON patch (422 when
/// an operation cannot be applied), merge patch, strategic merge patch for built-in kinds only
/// (415 for a custom resource, as for a CRD), and 415 for server-side apply, which the double
/// does not implement. A resourceVersion the patched object carries must be the current one.
extension KubeAPIService {
    func patch(_ request: KubeAPIRequest, target: KubeAPITarget, presentation: KubeAPIPresentation) throws -> Reply {
        guard let key = target.key else { throw KubeAPIStatus.methodNotSupported(target.resource, "patch") }
        let patch = try parsedBody(request)
        let type = request.contentType
        let patched = try store.transaction { state -> KubeAPIJSON in
            guard let current = state.object(key) else { throw KubeAPIStatus.notFound(target.resource, key.name) }
            // The patch applies to the stored object, so a resourceVersion the patch does not
            // change is the current one: only one the patch sets acts as a precondition.
            let next = try Self.apply(patch, type: type, to: current, resource: target.resource)
            if next["metadata"]["name"].string != key.name {
                throw KubeAPIStatus.badRequest("metadata.name: Invalid value: \"\(next["metadata"]["name"].string ?? "")\": field is immutable")
            }
            return try Self.replace(key, with: next, in: &state)
        }
        return .json(200, KubeAPITable.present(patched, of: target.resource, version: target.version, as: presentation, inList: false), contentType: presentation.contentType)
    }

    /// `current` patched the way `type` says; a strategic merge on a custom resource is refused
    /// with 415, as for a CRD.
    private static func apply(_ patch: KubeAPIJSON, type: String, to current: KubeAPIJSON, resource: KubeAPIResource) throws -> KubeAPIJSON {
        var accepted = ["application/json-patch+json", "application/merge-patch+json"]
        if !resource.isCustom { accepted.append("application/strategic-merge-patch+json") }
        accepted.append("application/apply-patch+yaml")
        switch type {
        case "application/json-patch+json":
            do {
                return try JSONPatch.apply(patch, to: current)
            } catch let malformed as JSONPatch.Malformed {
                throw KubeAPIStatus.badRequest(malformed.reason)
            } catch {
                throw KubeAPIStatus.patchNotApplicable
            }
        case "application/merge-patch+json":
            guard patch.members != nil else { throw KubeAPIStatus.badRequest("a merge patch must be a JSON object") }
            return JSONMergePatch.apply(patch, to: current)
        case "application/strategic-merge-patch+json" where !resource.isCustom:
            do {
                return try StrategicMergePatch.apply(patch, to: current)
            } catch let malformed as StrategicMergePatch.Malformed {
                throw KubeAPIStatus.badRequest(malformed.reason)
            }
        case "application/apply-patch+yaml":
            throw KubeAPIStatus.applyNotImplemented
        default:
            throw KubeAPIStatus.unsupportedMediaType(accepted)
        }
    }
}
