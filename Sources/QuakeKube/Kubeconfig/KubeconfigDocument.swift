/// One kubeconfig file as kubectl writes it (`apiVersion: v1`, `kind: Config`), field for field:
/// named clusters, users and contexts, and the current context. ``Kubeconfig`` merges and
/// resolves them.
struct KubeconfigDocument: Decodable, Sendable {
    struct Named<Value: Decodable & Sendable>: Decodable, Sendable {
        var name: String
        var value: Value?

        private enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            let key: CodingKeys = Value.self == Cluster.self ? .cluster : Value.self == User.self ? .user : .context
            value = try c.decodeIfPresent(Value.self, forKey: key)
        }
    }

    struct Cluster: Decodable, Sendable, Equatable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?
        var proxyURL: String?

        private enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    struct User: Decodable, Sendable, Equatable {
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var username: String?
        var password: String?
        var exec: Exec?
        var authProvider: AuthProvider?

        private enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, password, exec
            case authProvider = "auth-provider"
        }
    }

    /// An exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
    struct Exec: Decodable, Sendable, Equatable {
        struct Variable: Decodable, Sendable, Equatable {
            var name: String
            var value: String
        }

        var apiVersion: String?
        var command: String
        var args: [String]?
        var env: [Variable]?
        var installHint: String?
        var provideClusterInfo: Bool?
        var interactiveMode: String?
    }

    /// The deprecated in-tree providers (gcp, azure, oidc); only named, to say they are not supported.
    struct AuthProvider: Decodable, Sendable, Equatable {
        var name: String
    }

    struct Context: Decodable, Sendable, Equatable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [Named<Cluster>]?
    var users: [Named<User>]?
    var contexts: [Named<Context>]?
    var currentContext: String?

    private enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}
