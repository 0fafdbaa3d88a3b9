import Foundation
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 for tests, on POSIX sockets: one thread accepts, one
/// thread serves each connection, keep-alive included.
///
/// Start it with ``with(_:isolation:_:)``, which always stops it and waits for its threads.
/// It records every request and counts accepted connections, for tests to assert on.
public final class LoopbackHTTPServer: Sendable {
    /// The port the system chose on 127.0.0.1.
    public let port: UInt16

    let handler: @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply
    let stopRead: Int32
    private let stopWrite: Int32
    private let state = Mutex(State())

    private struct State {
        var acceptedConnections = 0
        var clientClosedConnections = 0
        var requests: [LoopbackHTTPRequest] = []
        var runningThreads = 0
        var stopping = false
        var drained: CheckedContinuation<Void, Never>?
    }

    /// Runs `body` with a server that answers every request with `handler`, then stops the
    /// server, closing its connections, whether `body` returned or threw.
    public static func with<Value>(
        _ handler: @escaping @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackHTTPServer) async throws -> Value
    ) async throws -> Value {
        let server = try LoopbackHTTPServer(handler: handler)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A port on 127.0.0.1 with nothing listening on it, for testing refused connections.
    public static func unusedPort() throws -> UInt16 {
        try LoopbackSocket.unusedPort()
    }

    /// The URL of `path` on this server, such as `http://127.0.0.1:41234/items`.
    public func url(_ path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// How many TCP connections the server has accepted so far.
    public var acceptedConnections: Int {
        state.withLock { $0.acceptedConnections }
    }

    /// How many connections the client closed (or reset) while the server waited to read from them.
    public var clientClosedConnections: Int {
        state.withLock { $0.clientClosedConnections }
    }

    /// Every complete request received so far, in arrival order.
    public var requests: [LoopbackHTTPRequest] {
        state.withLock { $0.requests }
    }

    private init(handler: @escaping @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply) throws {
        let (listener, port) = try LoopbackSocket.listen()
        let stop: (read: Int32, write: Int32)
        do {
            stop = try LoopbackSocket.stopPipe()
        } catch {
            LoopbackSocket.close(listener)
            throw error
        }
        self.port = port
        self.handler = handler
        self.stopRead = stop.read
        self.stopWrite = stop.write
        if !spawn({ $0.acceptLoop(listener) }) {
            LoopbackSocket.close(listener)
        }
    }

    /// Accepts connections until the server stops, serving each on a thread of its own; closes the listener.
    private func acceptLoop(_ listener: Int32) {
        defer { LoopbackSocket.close(listener) }
        while (try? LoopbackSocket.wait(for: listener, stop: stopRead, timeout: nil)) == .readable {
            let accepted: Int32?
            do {
                accepted = try LoopbackSocket.accept(listener)
            } catch {
                return
            }
            guard let connection = accepted else { continue }
            state.withLock { $0.acceptedConnections += 1 }
            if !spawn({ $0.serve(connection) }) {
                LoopbackSocket.close(connection)
            }
        }
    }

    /// Records that the client closed a connection the server was reading from.
    func recordClientClose() {
        state.withLock { $0.clientClosedConnections += 1 }
    }

    /// Records a complete request before the handler sees it.
    func record(_ request: LoopbackHTTPRequest) {
        state.withLock { $0.requests.append(request) }
    }

    /// Starts `work` on a new thread unless the server is stopping; returns whether it started.
    private func spawn(_ work: @escaping @Sendable (LoopbackHTTPServer) -> Void) -> Bool {
        let started = state.withLock { state in
            guard !state.stopping else { return false }
            state.runningThreads += 1
            return true
        }
        guard started else { return false }
        Thread {
            work(self)
            self.threadFinished()
        }.start()
        return true
    }

    private func threadFinished() {
        let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.runningThreads -= 1
            guard state.runningThreads == 0 else { return nil }
            defer { state.drained = nil }
            return state.drained
        }
        drained?.resume()
    }

    /// Wakes every thread, waits until all have closed their sockets and ended, then closes the stop pipe.
    private func stop() async {
        state.withLock { $0.stopping = true }
        // The pipe only fails to take a byte if it is full, and then it is readable already.
        try? LoopbackSocket.raise(stopWrite)
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.runningThreads == 0 { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
        LoopbackSocket.close(stopRead)
        LoopbackSocket.close(stopWrite)
    }
}
