import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A Kubernetes API server double for tests: HTTPS on 127.0.0.1 (SwiftNIO, a CA and server
/// certificate made for the run), bearer-token and client-certificate users, an in-memory store
/// with one resourceVersion counter, and the verbs, patch types, watches and `Status` errors of
/// kube-apiserver for the resources in ``KubeAPIResource/all``. Real `kubectl` and the Python
/// `kubernetes` client are run against it in `QuakeKubeAPITests`.
///
/// Start it with ``with(users:bookmarkInterval:historyLimit:isolation:_:)``; write a kubeconfig
/// for a client with ``kubeconfig(user:)``; seed and change objects as other actors would with
/// ``seed(_:)``, ``mutate(_:_:namespace:_:)`` and ``remove(_:_:namespace:)``; assert on
/// ``requests`` and ``object(_:_:namespace:)``. Playing Karmada, it proxies to member doubles
/// attached with ``attachMember(_:_:)`` (or started with ``withKarmada(users:members:memberUsers:regions:isolation:_:)``).
///
/// Costs one event-loop thread and about seven `openssl` runs (the certificates) to start.
public final class KubeAPIServer: Sendable {
    /// The port the system chose on 127.0.0.1.
    public let port: Int
    /// The authority that signed the server's and the users' certificates (PEM file).
    public let caFile: String
    let service: KubeAPIService
    let clientCertificates: [String: (certificate: String, key: String)]
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel

    /// Runs `body` with a server for `users` (each token user by its token, each certificate
    /// user with a certificate made now), then stops it, whether `body` returned or threw.
    ///
    /// - Parameters:
    ///   - bookmarkInterval: how often watches that allow bookmarks get one (`nil`: only when
    ///     ``sendBookmarks()`` is called).
    ///   - historyLimit: how many changes are kept for watches to resume from; a watch from an
    ///     older resourceVersion gets a 410 `Expired` error event.
    public static func with<Value>(
        users: [KubeAPIUser] = [.admin],
        bookmarkInterval: Duration? = .seconds(1),
        historyLimit: Int = 1000,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (KubeAPIServer) async throws -> Value
    ) async throws -> Value {
        try await LoopbackCertificates.with { certificates in
            var clientCertificates: [String: (certificate: String, key: String)] = [:]
            for user in users {
                if case .clientCertificate = user.credential {
                    clientCertificates[user.name] = try await certificates.makeClientCertificate(commonName: user.name, organizations: user.groups)
                }
            }
            let server = try await KubeAPIServer(
                certificates: certificates, clientCertificates: clientCertificates,
                service: KubeAPIService(users: users, historyLimit: historyLimit)
            )
            let bookmarks = bookmarkInterval.map { interval in
                server.group.next().scheduleRepeatedTask(initialDelay: TimeAmount(interval), delay: TimeAmount(interval)) { _ in
                    server.service.store.sendBookmarks()
                }
            }
            let result: Result<Value, any Error>
            do {
                result = .success(try await body(server))
            } catch {
                result = .failure(error)
            }
            bookmarks?.cancel()
            await server.stop()
            return try result.get()
        }
    }

    private init(certificates: LoopbackCertificates, clientCertificates: [String: (certificate: String, key: String)], service: KubeAPIService) async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyFile, format: .pem))
        )
        // Ask for a client certificate but let clients without one in, to use a token.
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .file(certificates.caFile)
        tls.applicationProtocols = ["http/1.1"]
        // On stop, do not wait the default 5 s for idle keep-alive clients to answer close_notify.
        tls.shutdownTimeout = .milliseconds(100)
        let context = try NIOSSLContext(configuration: tls)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(KubeAPIConnectionHandler(service: service))
                }
            }
        do {
            listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        self.group = group
        self.port = listener.localAddress?.port ?? 0
        self.caFile = certificates.caFile
        self.clientCertificates = clientCertificates
        self.service = service
    }

    /// Ends every watch, closes the listener and every connection, and stops the event loop.
    private func stop() async {
        service.resume()
        service.store.stopAllWatches()
        try? await listener.close()
        try? await group.shutdownGracefully()
    }

    /// The server's base URL, `https://127.0.0.1:PORT`.
    public var url: String { "https://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order, with the status it was answered with.
    public var requests: [KubeAPIRequestRecord] { service.records }

    /// Waits until `condition` holds for the request log, checking every 20 ms, for at most `timeout`.
    ///
    /// - Throws: ``LoopbackTLSServer/Failure`` naming `what` when the time runs out.
    public func waitForRequests(_ what: String, timeout: Duration = .seconds(10), _ condition: ([KubeAPIRequestRecord]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(requests) {
            guard ContinuousClock.now < deadline else { throw LoopbackTLSServer.Failure(description: "the API server did not see \(what) within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
