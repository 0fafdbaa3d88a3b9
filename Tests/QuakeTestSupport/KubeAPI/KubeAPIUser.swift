/// A user the Kubernetes API double knows: how it authenticates and what it may do.
///
/// A token user sends `Authorization: Bearer <token>`; a certificate user presents a client
/// certificate the double's authority signed, with `CN=<name>` and one `O=` per group, as
/// kube-apiserver reads them. Without ``allowed`` rules the user may do everything.
public struct KubeAPIUser: Sendable {
    /// How the user proves who it is.
    public enum Credential: Sendable {
        /// A bearer token (the double's static token table).
        case token(String)
        /// A client certificate made for the user when the server starts.
        case clientCertificate
    }

    /// The user name (the certificate's common name).
    public var name: String
    /// The groups (the certificate's organizations).
    public var groups: [String]
    /// How the user authenticates.
    public var credential: Credential
    /// What the user may do; `nil` allows everything. A request no rule allows is refused with
    /// 403 and RBAC's message.
    public var allowed: [KubeAPIRule]?

    /// A user from its parts.
    public init(name: String, groups: [String] = [], credential: Credential, allowed: [KubeAPIRule]? = nil) {
        self.name = name
        self.groups = groups
        self.credential = credential
        self.allowed = allowed
    }

    /// `admin`, with a client certificate in group `system:masters`, allowed everything.
    public static let admin = KubeAPIUser(name: "admin", groups: ["system:masters"], credential: .clientCertificate)

    func may(_ verb: String, _ resource: String) -> Bool {
        guard let allowed else { return true }
        return allowed.contains { $0.allows(verb, resource) }
    }
}

/// One entry of a user's allow list: verbs on resources, like an RBAC rule without groups.
///
/// Resources are plurals (`nodes`), subresources joined by a slash (`pods/eviction`); `*`
/// matches every verb or resource.
public struct KubeAPIRule: Sendable {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, or `*`.
    public var verbs: [String]
    /// Plural resource names, `resource/subresource`, or `*`.
    public var resources: [String]

    /// A rule allowing `verbs` on `resources`.
    public init(verbs: [String], resources: [String]) {
        self.verbs = verbs
        self.resources = resources
    }

    func allows(_ verb: String, _ resource: String) -> Bool {
        (verbs.contains("*") || verbs.contains(verb)) && (resources.contains("*") || resources.contains(resource))
    }
}
