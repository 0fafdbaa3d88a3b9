import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import QuakeHTTP
import Synchronization

/// A lab pod: a SwiftNIO HTTP/1.1 server with keep-alive on a loopback port that plays one
/// replica of a plan's service.
///
/// Every path but the ones below is a service request: it waits the service time (drawn from the
/// configured distribution with the seeded generator, scheduled on the event loop), fails with
/// the configured probability, and otherwise calls each downstream service in order through
/// QuakeHTTP; a failed call fails the request (see ``PodConfiguration/errorStatus``).
///
/// - `GET /healthz`: 200 `ok`, or 503 `failing` when told to fail or shutting down.
/// - `GET /metrics`: Prometheus text (requests by code, latency histogram, in flight, connections,
///   downstream calls).
/// - `POST /control/health?fail=1|0`, `/control/errors?rate=0.5`, `/control/delay?ms=200`,
///   `/control/reset`: change the pod's behaviour by hand until reset.
/// - `POST /control/cut-off?peers=127.1.0.1,…` (empty: nobody), `GET /control/cut-off`: the peers
///   whose requests the pod holds unanswered, as a hung process would (a partition), one address
///   per line; set at start by ``PodConfiguration/cutOff`` and untouched by `/control/reset`.
///
/// Each response goes out in one buffer, headers and body together. The pod writes nothing to the
/// terminal: its log goes to ``PodConfiguration/logFile`` or nowhere.
///
/// Start one with ``withServer(_:isolation:_:)``, which always shuts it down.
public final class PodServer: Sendable {
    /// The configuration the pod runs with (``PodConfiguration/port`` may be 0; see ``port``).
    public let configuration: PodConfiguration
    /// The port the pod listens on.
    public let port: Int

    let state: PodState
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let shutdownRequest = Mutex(ShutdownRequest())

    private struct ShutdownRequest {
        var requested = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Runs `body` with a pod listening on its port, then shuts the pod down gracefully (new
    /// connections refused, requests in flight answered for up to the configured grace, then every
    /// connection closed), whether `body` returned or threw.
    ///
    /// - Throws: ``LabError`` with code `config` for an invalid configuration, `portInUse` when
    ///   the port is taken, `process` when the log file cannot be opened; or what `body` threw.
    public static func withServer<Value>(
        _ configuration: PodConfiguration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PodServer) async throws -> Value
    ) async throws -> Value {
        try configuration.validate()
        let log = try PodLog.open(path: configuration.logFile, pod: configuration.pod)
        let server = try await PodServer(configuration: configuration, log: log)
        let result: Result<Value, any Error>
        if configuration.calls.isEmpty {
            // A pod that calls nobody needs no HTTP engine; the handle is never used.
            result = await server.serve(client: HTTPClient(), body)
        } else {
            // Its own engine: its connections to the Envoy are kept alive for the pod's life and
            // closed with it.
            do {
                result = try await HTTPClient.withClient { client in await server.serve(client: client, body) }
            } catch {
                result = .failure(error)
            }
        }
        try? await server.group.shutdownGracefully()
        log.write("stopped")
        return try result.get()
    }

    /// Runs `body` alongside the pod's call pump, then shuts the pod down.
    private func serve<Value>(
        client: HTTPClient,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PodServer) async throws -> Value
    ) async -> Result<Value, any Error> {
        let caller = PodDownstreamCaller(state: state, client: client)
        do {
            return try await withThrowingTaskGroup(of: Void.self, returning: Result<Value, any Error>.self) { group in
                group.addTask { await caller.run() }
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body(self))
                } catch {
                    result = .failure(error)
                }
                await shutdown()
                // The grace period is over: calls still running fail, and their requests with them.
                group.cancelAll()
                try await group.waitForAll()
                return result
            }
        } catch {
            return .failure(error)
        }
    }

    private init(configuration: PodConfiguration, log: PodLog) async throws {
        let state = PodState(configuration: configuration, log: log)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(PodConnectionHandler(state: state))
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            try? await group.shutdownGracefully()
            let inUse = (error as? IOError)?.errnoCode == EADDRINUSE
            throw LabError(
                code: inUse ? .portInUse : .process,
                message: inUse ? "port \(configuration.port) on \(configuration.host) is already in use" : "cannot listen on \(configuration.host):\(configuration.port): \(error)",
                location: configuration.pod
            )
        }
        self.configuration = configuration
        self.state = state
        self.group = group
        self.listener = listener
        self.port = listener.localAddress?.port ?? configuration.port
        log.write("listening on \(configuration.host):\(port) as service \(configuration.service), service time \(configuration.serviceTime), error rate \(configuration.errorRate), calls \(configuration.calls.map(\.argument))" + (configuration.cutOff.isEmpty ? "" : ", cut off from \(configuration.cutOff.joined(separator: ", "))"))
    }

    /// The URL of `path` on this pod, such as `http://127.0.0.1:41234/`.
    public func url(_ path: String = "/") -> String {
        "http://\(configuration.host):\(port)\(path)"
    }

    /// Asks the pod to shut down: ``waitForShutdownRequest()`` returns. Safe from any thread,
    /// such as a signal handler's dispatch queue.
    public func requestShutdown() {
        let waiters = shutdownRequest.withLock { request in
            request.requested = true
            defer { request.waiters = [] }
            return request.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``requestShutdown()`` was called (at once if it already was).
    public func waitForShutdownRequest() async {
        await withCheckedContinuation { continuation in
            let now = shutdownRequest.withLock { request in
                if request.requested { return true }
                request.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Stops accepting, lets the requests in flight finish for up to the grace period, closes every
    /// connection and ends the downstream call queue.
    private func shutdown() async {
        state.log.write("shutting down")
        try? await listener.close()
        for connection in state.beginShutdown() {
            connection.pipeline.fireUserInboundEventTriggered(PodShutdownEvent())
        }
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while !state.openConnections.isEmpty, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
        }
        for connection in state.openConnections {
            try? await connection.close()
        }
        state.finishJobs()
    }
}
