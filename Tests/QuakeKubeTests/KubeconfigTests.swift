import Foundation
import QuakeHTTP
import QuakeKube
import Testing

/// Reading kubeconfig like kubectl: which files, how they merge, what a context resolves to, and
/// that no token or key ever shows in what Quake prints.
@Suite struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    /// A folder with `files` (name → text) written in it; removed by the caller.
    static func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let first = """
        apiVersion: v1
        kind: Config
        current-context: staging
        clusters:
        - name: staging
          cluster:
            server: https://10.0.0.1:6443/
            certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
        - name: shared
          cluster: {server: https://first.example:443, certificate-authority: certs/ca.pem}
        users:
        - name: ops
          user: {token: s3cr3t-token}
        - name: robot
          user: {tokenFile: tokens/robot}
        contexts:
        - name: staging
          context: {cluster: staging, user: ops, namespace: payments}
        - name: shared
          context: {cluster: shared, user: robot}
        """

    static let second = """
        apiVersion: v1
        kind: Config
        current-context: karmada
        clusters:
        - name: shared
          cluster: {server: https://second.example:443}
        - name: karmada
          cluster: {server: https://karmada.example:5443, insecure-skip-tls-verify: true}
        users:
        - name: ops
          user: {token: other-token}
        - name: admin
          user:
            client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
            client-key-data: \(Data("KEY".utf8).base64EncodedString())
        contexts:
        - name: karmada
          context: {cluster: karmada, user: admin}
        """

    @Test func mergesKUBECONFIGFilesTheFirstToNameAnEntryWinning() throws {
        let dir = try Self.folder(["a/config": Self.first, "b/config": Self.second, "a/certs/ca.pem": Self.caPEM, "a/tokens/robot": "robot-token\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = "\(dir.path)/a/config:\(dir.path)/missing:\(dir.path)/b/config"
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": list, "HOME": dir.path])
        #expect(config.files == ["\(dir.path)/a/config", "\(dir.path)/b/config"], "a missing file is skipped")
        #expect(config.currentContext == "staging", "the first file that sets one")
        #expect(config.contextNames == ["karmada", "shared", "staging"])

        let staging = try config.connection()
        #expect(staging.server == "https://10.0.0.1:6443" && staging.namespace == "payments" && staging.user == "ops")
        #expect(staging.tls.caPEM == Data(Self.caPEM.utf8) && !staging.isInsecure)
        guard case .token("s3cr3t-token") = staging.authorization else { Issue.record("the first file's ops user: \(String(describing: staging.authorization))"); return }

        let shared = try config.connection(context: "shared")
        #expect(shared.server == "https://first.example:443", "the first file's cluster 'shared'")
        #expect(shared.tls.caFile == "\(dir.path)/a/certs/ca.pem", "relative to the file that names it")
        #expect(shared.namespace == "default")
        guard case .tokenFile("\(dir.path)/a/tokens/robot") = shared.authorization else { Issue.record("\(String(describing: shared.authorization))"); return }

        let karmada = try config.connection(context: "karmada")
        #expect(karmada.isInsecure, "insecure-skip-tls-verify is kept, for the report to show")
        #expect(karmada.tls.clientCertificate == .pem(certificate: Data("CERT".utf8), key: Data("KEY".utf8)) && karmada.authorization == nil)
        #expect(karmada.description.contains("TLS NOT verified"))
    }

    @Test func anExplicitFileIsTheOnlyOneReadAndHomeIsTheDefault() throws {
        let dir = try Self.folder([".kube/config": Self.second, "other": Self.first, "other-certs/ca.pem": Self.caPEM])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Kubeconfig.load(environment: ["HOME": dir.path]).currentContext == "karmada")
        let explicit = try Kubeconfig.load(explicitPath: "\(dir.path)/other", environment: ["KUBECONFIG": "\(dir.path)/.kube/config", "HOME": dir.path])
        #expect(explicit.files == ["\(dir.path)/other"] && explicit.currentContext == "staging")
        #expect(throws: KubeError.self) { try Kubeconfig.load(explicitPath: "\(dir.path)/nope", environment: [:]) }
        let none = #expect(throws: KubeError.self) { try Kubeconfig.load(environment: ["HOME": "/nonexistent"]) }
        #expect(none?.message.contains("/nonexistent/.kube/config does not exist") == true)
    }

    @Test func tokensKeysAndPasswordsNeverShow() throws {
        let dir = try Self.folder(["config": Self.first + "\n", "second": Self.second, "certs/ca.pem": Self.caPEM, "tokens/robot": "x"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Kubeconfig.load(paths: ["\(dir.path)/config", "\(dir.path)/second"])
        let printed = try ["staging", "shared", "karmada"].map { "\(try config.connection(context: $0))" }.joined(separator: "\n")
        #expect(printed.contains("bearer token <redacted>"))
        for secret in ["s3cr3t-token", "CERT", "KEY", Data("KEY".utf8).base64EncodedString()] {
            #expect(!printed.contains(secret), "\(secret) leaked into: \(printed)")
        }
        let basic = KubeAuthorization.basic(username: "admin", password: "hunter2")
        #expect(!basic.description.contains("hunter2"))
    }

    @Test(arguments: [
        ("contexts:\n- name: x\n  context: {cluster: nowhere, user: u}\nusers:\n- name: u\n  user: {token: t}", "names cluster 'nowhere', which no file defines"),
        ("clusters:\n- name: c\n  cluster: {server: ftp://x}\ncontexts:\n- name: x\n  context: {cluster: c}", "has no https:// server URL"),
        ("clusters:\n- name: c\n  cluster: {server: https://x, certificate-authority-data: '@@@'}\ncontexts:\n- name: x\n  context: {cluster: c}", "certificate-authority-data is not base64"),
        ("clusters:\n- name: c\n  cluster: {server: https://x}\ncontexts:\n- name: x\n  context: {cluster: c}", "has no credentials"),
        ("clusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n- name: u\n  user: {auth-provider: {name: gcp}}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}", "auth-provider 'gcp'"),
        ("clusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n- name: u\n  user: {client-certificate: nope.pem, client-key: nope.key}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}", "client-certificate"),
        ("clusters: {c: 1}", "clusters"),
    ])
    func aBrokenContextIsNamedWithItsFile(text: String, expected: String) throws {
        let dir = try Self.folder(["config": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: KubeError.self) { try Kubeconfig.load(paths: ["\(dir.path)/config"]).connection(context: "x") }
        #expect(error?.code == .config && error?.description.contains(expected) == true && error?.description.contains("\(dir.path)/config") == true, "\(String(describing: error))")
    }

    /// The real kubectl picks the same server, namespace and user for each context.
    @Test func kubectlResolvesTheSameContexts() throws {
        let kubectl = try #require(["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }, "kubectl is installed by scripts/install-deps")
        let dir = try Self.folder(["a/config": Self.first, "b/config": Self.second, "a/certs/ca.pem": Self.caPEM, "a/tokens/robot": "robot-token\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = "\(dir.path)/a/config:\(dir.path)/b/config"
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": list])
        for context in config.contextNames {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: kubectl)
            process.arguments = ["config", "view", "--minify", "--context", context, "-o", "jsonpath={.clusters[0].cluster.server} {.contexts[0].context.namespace} {.contexts[0].context.user}"]
            process.environment = ["KUBECONFIG": list, "HOME": dir.path, "PATH": "/usr/bin:/bin"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let words = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let ours = try config.connection(context: context)
            #expect(words.count == 3, "\(words)")
            #expect(words.first.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } == ours.server, "\(context)")
            #expect((words.dropFirst().first.flatMap { $0.isEmpty ? nil : $0 } ?? "default") == ours.namespace, "\(context)")
            #expect(words.last == ours.user, "\(context)")
        }
    }
}
