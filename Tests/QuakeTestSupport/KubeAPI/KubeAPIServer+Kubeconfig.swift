import Foundation

extension KubeAPIServer {
    /// Writes a kubeconfig for `user` (a name given to ``with(users:bookmarkInterval:historyLimit:isolation:_:)``)
    /// into the server's temporary folder (deleted when it stops) and returns its path: one cluster with the CA as
    /// `certificate-authority-data`, one context `kube-api-double` (current) in namespace
    /// `default`, and the user's token or client certificate and key as data, as real clients read them.
    ///
    /// - Throws: ``LoopbackTLSServer/Failure`` for an unknown user.
    public func kubeconfig(user name: String) throws -> String {
        guard let user = service.users.first(where: { $0.name == name }) else {
            throw LoopbackTLSServer.Failure(description: "the API server has no user \(name)")
        }
        let credentials: String
        switch user.credential {
        case let .token(token):
            credentials = "    token: \(token)\n"
        case .clientCertificate:
            guard let files = clientCertificates[name] else { throw LoopbackTLSServer.Failure(description: "no certificate for \(name)") }
            credentials = "    client-certificate-data: \(try base64(of: files.certificate))\n    client-key-data: \(try base64(of: files.key))\n"
        }
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: kube-api-double
              cluster:
                server: \(url)
                certificate-authority-data: \(try base64(of: caFile))
            users:
            - name: \(name)
              user:

            """ + credentials + """
            contexts:
            - name: kube-api-double
              context:
                cluster: kube-api-double
                user: \(name)
                namespace: default
            current-context: kube-api-double

            """
        let path = URL(fileURLWithPath: caFile).deletingLastPathComponent().appendingPathComponent("kubeconfig-\(name)-\(UUID().uuidString).yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func base64(of file: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: file)).base64EncodedString()
    }
}
