import Foundation
import QuakeHTTP
import Yams

/// The kubeconfig as kubectl reads it: `--kubeconfig FILE` alone, else every file of
/// `$KUBECONFIG` (colon-separated) merged, else `~/.kube/config`.
///
/// Merging follows kubectl: a cluster, user or context takes its entry from the first file that
/// names it, and the current context comes from the first file that sets one. Relative paths in a
/// file (certificate authority, client certificate and key, token file, an exec command with a
/// slash) are resolved against that file's folder.
public struct Kubeconfig: Sendable {
    /// The files read, in order.
    public let files: [String]
    /// The context used when none is named.
    public let currentContext: String?
    private var clusters: [String: (cluster: KubeconfigDocument.Cluster, file: String)] = [:]
    private var users: [String: (user: KubeconfigDocument.User, file: String)] = [:]
    private var contexts: [String: (context: KubeconfigDocument.Context, file: String)] = [:]

    /// Every context's name, sorted.
    public var contextNames: [String] { contexts.keys.sorted() }

    /// The kubeconfig kubectl would read with `--kubeconfig explicitPath` (nil: none) in `environment`.
    ///
    /// - Throws: ``KubeError`` `config` when no file exists or one cannot be read or parsed.
    public static func load(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Kubeconfig {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeError(code: .config, message: "the kubeconfig \(explicitPath) (from --kubeconfig) does not exist")
            }
            return try load(paths: [explicitPath])
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
            guard !paths.isEmpty else {
                throw KubeError(code: .config, message: "none of the files in KUBECONFIG exists (\(list))")
            }
            return try load(paths: paths)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = home + "/.kube/config"
        guard FileManager.default.fileExists(atPath: path) else {
            throw KubeError(code: .config, message: "no kubeconfig: \(path) does not exist and neither KUBECONFIG nor --kubeconfig is set")
        }
        return try load(paths: [path])
    }

    /// The files at `paths` merged as kubectl merges them.
    public static func load(paths: [String]) throws -> Kubeconfig {
        var documents: [(KubeconfigDocument, String)] = []
        for path in paths {
            documents.append((try document(at: path), path))
        }
        return Kubeconfig(documents: documents)
    }

    /// One file, parsed (YAML or JSON).
    static func document(at path: String) throws -> KubeconfigDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError(code: .config, message: "cannot read the kubeconfig", location: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw KubeError(code: .config, message: "the kubeconfig is not UTF-8 text", location: path)
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return KubeconfigDocument() }
        do {
            return try YAMLDecoder().decode(KubeconfigDocument.self, from: text)
        } catch let DecodingError.keyNotFound(key, context) {
            throw KubeError(code: .config, message: "\(Self.path(context.codingPath + [key])): missing", location: path)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw KubeError(code: .config, message: "\(Self.path(context.codingPath)): \(context.debugDescription)", location: path)
        } catch {
            throw KubeError(code: .config, message: "not a kubeconfig: \(error)", location: path)
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    private init(documents: [(KubeconfigDocument, String)]) {
        files = documents.map(\.1)
        var current: String?
        for (document, file) in documents {
            if current == nil, let name = document.currentContext, !name.isEmpty { current = name }
            for entry in document.clusters ?? [] where clusters[entry.name] == nil {
                if let value = entry.value { clusters[entry.name] = (value, file) }
            }
            for entry in document.users ?? [] where users[entry.name] == nil {
                users[entry.name] = (entry.value ?? KubeconfigDocument.User(), file)
            }
            for entry in document.contexts ?? [] where contexts[entry.name] == nil {
                if let value = entry.value { contexts[entry.name] = (value, file) }
            }
        }
        currentContext = current
    }

    /// How to reach the cluster of context `name` (the current context if nil), as that user.
    ///
    /// - Throws: ``KubeError`` `config` naming the context, cluster, user or file that is missing
    ///   or wrong.
    public func connection(context name: String? = nil) throws -> KubeConnection {
        guard let contextName = name ?? currentContext else {
            throw KubeError(code: .config, message: "no context named and no current-context set (contexts: \(contextNames.joined(separator: ", ")))", location: files.joined(separator: ":"))
        }
        guard let (context, contextFile) = contexts[contextName] else {
            throw KubeError(code: .config, message: "no context '\(contextName)' (contexts: \(contextNames.joined(separator: ", ")))", location: files.joined(separator: ":"))
        }
        guard let (cluster, clusterFile) = clusters[context.cluster] else {
            throw KubeError(code: .config, message: "context '\(contextName)' names cluster '\(context.cluster)', which no file defines", location: contextFile)
        }
        guard let server = cluster.server, let url = URL(string: server), let scheme = url.scheme, ["https", "http"].contains(scheme.lowercased()), url.host != nil else {
            throw KubeError(code: .config, message: "cluster '\(context.cluster)' has no https:// server URL (server: \(cluster.server ?? "none"))", location: clusterFile)
        }
        var tls = HTTPTLSOptionsBuilder(file: clusterFile, what: "cluster '\(context.cluster)'")
        let insecure = cluster.insecureSkipTLSVerify ?? false
        if insecure {
            tls.options = .insecure
        } else if let data = cluster.certificateAuthorityData {
            tls.options.caPEM = try tls.decode(data, key: "certificate-authority-data")
        } else if let file = cluster.certificateAuthority {
            tls.options.caFile = try tls.existing(file, key: "certificate-authority")
        }
        var user = KubeconfigDocument.User()
        var userFile = contextFile
        if let userName = context.user, !userName.isEmpty {
            guard let found = users[userName] else {
                throw KubeError(code: .config, message: "context '\(contextName)' names user '\(userName)', which no file defines", location: contextFile)
            }
            (user, userFile) = found
        }
        var credentials = HTTPTLSOptionsBuilder(file: userFile, what: "user '\(context.user ?? "")'")
        let certificate = try credentials.certificate(user)
        tls.options.clientCertificate = certificate
        let authorization = try Self.authorization(user, file: userFile, userName: context.user ?? "")
        if certificate == nil && authorization == nil {
            throw KubeError(code: .config, message: "context '\(contextName)' has no credentials: its user has neither a client certificate, a token, a token file nor an exec plugin", location: userFile)
        }
        return KubeConnection(
            context: contextName, server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            tls: tls.options, authorization: authorization, user: context.user ?? "")
    }

    private static func authorization(_ user: KubeconfigDocument.User, file: String, userName: String) throws -> KubeAuthorization? {
        if let provider = user.authProvider {
            throw KubeError(code: .config, message: "user '\(userName)' uses the auth-provider '\(provider.name)', which kubectl no longer supports either; use its exec plugin (client.authentication.k8s.io/v1)", location: file)
        }
        if let token = user.token, !token.isEmpty { return .token(token) }
        if let tokenFile = user.tokenFile, !tokenFile.isEmpty { return .tokenFile(resolve(tokenFile, against: file)) }
        if let exec = user.exec {
            let version = exec.apiVersion ?? ""
            guard ExecPlugin.supportedVersions.contains(version) else {
                throw KubeError(code: .config, message: "user '\(userName)': exec apiVersion '\(version)' is not one of \(ExecPlugin.supportedVersions.joined(separator: ", "))", location: file)
            }
            let command = exec.command.contains("/") ? resolve(exec.command, against: file) : exec.command
            return .exec(ExecPlugin(apiVersion: version, command: command, arguments: exec.args ?? [],
                                    environment: (exec.env ?? []).map { ($0.name, $0.value) }, installHint: exec.installHint,
                                    interactiveMode: exec.interactiveMode ?? "IfAvailable", user: userName))
        }
        if let username = user.username, let password = user.password { return .basic(username: username, password: password) }
        return nil
    }

    /// `path` as written in `file`: absolute, or relative to the file's folder.
    static func resolve(_ path: String, against file: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst() }
        return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Reads the TLS fields of one kubeconfig entry, naming the file and key of any problem.
private struct HTTPTLSOptionsBuilder {
    var options = HTTPTLSOptions()
    let file: String
    let what: String

    func decode(_ base64: String, key: String) throws -> Data {
        guard let data = Data(base64Encoded: base64.filter { !$0.isWhitespace }) else {
            throw KubeError(code: .config, message: "\(what): \(key) is not base64", location: file)
        }
        return data
    }

    func existing(_ path: String, key: String) throws -> String {
        let resolved = Kubeconfig.resolve(path, against: file)
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            throw KubeError(code: .config, message: "\(what): \(key) \(resolved) cannot be read", location: file)
        }
        return resolved
    }

    mutating func certificate(_ user: KubeconfigDocument.User) throws -> HTTPClientCertificate? {
        let certificate = try user.clientCertificateData.map { try decode($0, key: "client-certificate-data") }
        let key = try user.clientKeyData.map { try decode($0, key: "client-key-data") }
        if let certificate, let key { return .pem(certificate: certificate, key: key) }
        let certificateFile = try user.clientCertificate.map { try existing($0, key: "client-certificate") }
        let keyFile = try user.clientKey.map { try existing($0, key: "client-key") }
        if let certificateFile, let keyFile { return .files(certificate: certificateFile, key: keyFile) }
        if certificate != nil || key != nil || certificateFile != nil || keyFile != nil {
            throw KubeError(code: .config, message: "\(what) has a client certificate without its key, or a key without its certificate", location: file)
        }
        return nil
    }
}
