import Foundation
import Synchronization

/// What the double answers, apart from the network: authentication, authorization, routing to
/// discovery, resources and (playing Karmada) the cluster proxy's members, the request log and
/// the test hooks' state. Every method is safe
/// from any thread; ``respond(to:record:)`` never blocks beyond the store's lock.
final class KubeAPIService: Sendable {
    /// A request's answer: a whole response, the start of a watch stream, or (Karmada's cluster
    /// proxy) `request` for `member` to answer as `caller`.
    enum Reply {
        case response(status: Int, contentType: String, body: String)
        case watch(KubeAPIWatchPlan)
        case proxy(member: KubeAPIService, request: KubeAPIRequest, caller: KubeAPIUser)

        static func json(_ status: Int, _ body: KubeAPIJSON, contentType: String = "application/json") -> Reply {
            .response(status: status, contentType: contentType, body: body.text)
        }

        static func failure(_ status: KubeAPIStatus) -> Reply {
            .json(status.code, status.body)
        }
    }

    private struct State {
        var tokens: [String: KubeAPIUser] = [:]
        var revoked: Set<String> = []
        var records: [KubeAPIRequestRecord] = []
        var hanging = false
        var held: [@Sendable () -> Void] = []
        /// The member API servers Karmada's cluster proxy reaches, by URL (a Cluster's `spec.apiEndpoint`).
        var members: [String: KubeAPIService] = [:]
    }

    let store: KubeAPIStore
    let users: [KubeAPIUser]
    private let state: Mutex<State>

    init(users: [KubeAPIUser], historyLimit: Int) {
        self.users = users
        self.store = KubeAPIStore(historyLimit: historyLimit)
        var state = State()
        for user in users {
            if case let .token(token) = user.credential { state.tokens[token] = user }
        }
        self.state = Mutex(state)
    }

    // MARK: Test hooks

    func revoke(token: String) {
        state.withLock { _ = $0.revoked.insert(token) }
    }

    var records: [KubeAPIRequestRecord] {
        state.withLock { $0.records }
    }

    func hang() {
        state.withLock { $0.hanging = true }
        store.holdWatches()
    }

    func resume() {
        let held = state.withLock { state in
            state.hanging = false
            defer { state.held = [] }
            return state.held
        }
        store.releaseWatches()
        for answer in held { answer() }
    }

    /// Logs `request` and returns its place in the log.
    func record(_ request: KubeAPIRequest) -> Int {
        state.withLock { state in
            state.records.append(KubeAPIRequestRecord(request))
            return state.records.count - 1
        }
    }

    /// Keeps `answer` for ``resume()`` while the server hangs; returns whether it was kept.
    func holdIfHanging(_ answer: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard state.hanging else { return false }
            state.held.append(answer)
            return true
        }
    }

    // MARK: Answering

    /// Authenticates, authorizes and answers `request`, noting the user in record `record`; the
    /// connection notes the status with ``note(_:status:)`` once it is known (a proxied request's
    /// from the member).
    func respond(to request: KubeAPIRequest, record: Int) -> Reply {
        guard let user = authenticate(request) else { return .failure(.unauthorized) }
        note(record, user: user)
        return route(request, user: user)
    }

    /// Answers `request`, which Karmada's cluster proxy forwarded impersonating `caller`: the
    /// caller's name and groups, with the rules this server's user of that name has (none for a
    /// name it does not know), as RBAC bindings by user name on a member would decide.
    func respond(toForwarded request: KubeAPIRequest, as caller: KubeAPIUser, record: Int) -> Reply {
        let known = users.first { $0.name == caller.name }
        let user = KubeAPIUser(name: caller.name, groups: caller.groups, credential: caller.credential, allowed: known == nil ? [] : known?.allowed)
        note(record, user: user)
        return route(request, user: user)
    }

    /// Notes the status record `record` was answered with (a watch: 200 when its stream starts).
    func note(_ record: Int, status: Int) {
        state.withLock { $0.records[record].status = status }
    }

    private func note(_ record: Int, user: KubeAPIUser) {
        state.withLock { state in
            state.records[record].user = user.name
            state.records[record].groups = user.groups
        }
    }

    /// Makes `member` reachable for the cluster proxy at `url`.
    func attach(_ member: KubeAPIService, at url: String) {
        state.withLock { $0.members[url] = member }
    }

    /// The member reachable at `url`, if any.
    func member(at url: String) -> KubeAPIService? {
        state.withLock { $0.members[url] }
    }

    /// The user a verified client certificate names, else the one a valid bearer token names;
    /// `nil` when neither (401). A certificate user the table does not know has no rights.
    private func authenticate(_ request: KubeAPIRequest) -> KubeAPIUser? {
        if let certificate = request.certificate {
            if let known = users.first(where: { $0.name == certificate.commonName }) {
                return KubeAPIUser(name: known.name, groups: certificate.organizations, credential: .clientCertificate, allowed: known.allowed)
            }
            return KubeAPIUser(name: certificate.commonName, groups: certificate.organizations, credential: .clientCertificate, allowed: [])
        }
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("Bearer ") else { return nil }
        let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        return state.withLock { $0.revoked.contains(token) ? nil : $0.tokens[token] }
    }

    private func route(_ request: KubeAPIRequest, user: KubeAPIUser) -> Reply {
        let segments = request.path.split(separator: "/").map(String.init)
        if let discovery = discovery(request, segments: segments) { return discovery }
        if let proxied = proxy(request, segments: segments, user: user) { return proxied }
        do {
            let target = try KubeAPITarget(segments: segments)
            let verb = target.verb(request)
            guard user.may(verb, target.subresource.map { "\(target.resource.plural)/\($0)" } ?? target.resource.plural) else {
                return .failure(.forbidden(user: user.name, verb: verb, resource: target.resource, subresource: target.subresource, namespace: target.namespace, name: target.name ?? ""))
            }
            return try serve(request, target: target, verb: verb)
        } catch let status as KubeAPIStatus {
            return .failure(status)
        } catch {
            return .failure(.badRequest("\(error)"))
        }
    }
}
