/// What a watch request asks for, read from its query: where to start (`resourceVersion`),
/// which objects (namespace, `labelSelector`, `fieldSelector`), whether it takes bookmarks
/// (`allowWatchBookmarks`), whether the initial objects end with a bookmark
/// (`sendInitialEvents=true`), and when the server ends it (`timeoutSeconds`).
struct KubeAPIWatchPlan: Sendable {
    let resource: KubeAPIResource
    let version: String
    let namespace: String?
    let labels: KubeAPILabelSelector?
    let fields: KubeAPIFieldSelector?
    let allowsBookmarks: Bool
    let initialEventsEnd: Bool
    let resourceVersion: String?
    let timeoutSeconds: Int?
    let presentation: KubeAPIPresentation

    init(_ request: KubeAPIRequest, target: KubeAPITarget, presentation: KubeAPIPresentation) throws {
        resource = target.resource
        version = target.version
        namespace = target.namespace
        labels = try request.query["labelSelector"].map(KubeAPILabelSelector.init(parsing:))
        var fields = try request.query["fieldSelector"].map { try KubeAPIFieldSelector(parsing: $0, for: target.resource) }
        if let name = target.name {
            // A watch on one object's URL is a watch on its name.
            fields = try KubeAPIFieldSelector(parsing: "metadata.name=\(name)", for: target.resource)
        }
        self.fields = fields
        allowsBookmarks = request.flag("allowWatchBookmarks")
        initialEventsEnd = request.flag("sendInitialEvents")
        resourceVersion = request.query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        timeoutSeconds = request.query["timeoutSeconds"].flatMap(Int.init)
        self.presentation = presentation
    }
}
