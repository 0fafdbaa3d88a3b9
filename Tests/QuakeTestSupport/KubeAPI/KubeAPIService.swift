import Foundation
import Synchronization

/// What the double answers, apart from the network: authentication, authorization, routing to
/// discovery and resources, the request log and the test hooks' state. Every method is safe
/// from any thread; ``respond(to:record:)`` never blocks beyond the store's lock.
final class KubeAPIService: Sendable {
    /// A request's answer: a whole response, or the start of a watch stream.
    enum Reply {
        case response(status: Int, contentType: String, body: String)
        case watch(KubeAPIWatchPlan)

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

    /// Authenticates, authorizes and answers `request`, noting the user and status in record `record`.
    func respond(to request: KubeAPIRequest, record: Int) -> Reply {
        let user = authenticate(request)
        let reply: Reply
        if let user {
            reply = route(request, user: user)
        } else {
            reply = .failure(.unauthorized)
        }
        let status: Int
        switch reply {
        case let .response(code, _, _): status = code
        case .watch: status = 200
        }
        state.withLock { state in
            state.records[record].user = user?.name
            state.records[record].groups = user?.groups ?? []
            state.records[record].status = status
        }
        return reply
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
