import Foundation
import QuakeHTTP

/// The credentials of one connection at the moment of a request: the `Authorization` header and
/// the client certificate. An exec plugin's credential is kept until a minute before it expires
/// (or, without an expiry, until the server refuses it); a token file is read at every use, so a
/// rotated token is picked up.
actor KubeCredentials {
    private let connection: KubeConnection
    private var plugin: ExecPlugin.Credential?

    init(connection: KubeConnection) {
        self.connection = connection
    }

    /// What to send with the next request.
    func current(now: Date = Date()) async throws -> (authorization: String?, tls: HTTPTLSOptions) {
        var tls = connection.tls
        switch connection.authorization {
        case nil:
            return (nil, tls)
        case let .token(token):
            return ("Bearer " + token, tls)
        case let .tokenFile(path):
            guard let data = FileManager.default.contents(atPath: path),
                  let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
            else {
                throw KubeError(code: .credentials, message: "cannot read a token from \(path) (user '\(connection.user)')", location: connection.context)
            }
            return ("Bearer " + token, tls)
        case let .basic(username, password):
            return ("Basic " + Data("\(username):\(password)".utf8).base64EncodedString(), tls)
        case let .exec(exec):
            if let cached = plugin, cached.expires.map({ $0.timeIntervalSince(now) > 60 }) ?? true {
                return Self.apply(cached, to: &tls)
            }
            let fresh = try await exec.run()
            plugin = fresh
            return Self.apply(fresh, to: &tls)
        }
    }

    /// Forgets a plugin's credential after the server refused it (401), so the next request runs
    /// the plugin again; false when there is nothing to renew.
    func renew() -> Bool {
        guard case .exec = connection.authorization, plugin != nil else { return false }
        plugin = nil
        return true
    }

    private static func apply(_ credential: ExecPlugin.Credential, to tls: inout HTTPTLSOptions) -> (authorization: String?, tls: HTTPTLSOptions) {
        if let certificate = credential.certificate { tls.clientCertificate = certificate }
        return (credential.token.map { "Bearer " + $0 }, tls)
    }
}
