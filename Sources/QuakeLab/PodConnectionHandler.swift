import Foundation
import NIOCore
import NIOHTTP1

/// Told to every connection when the pod shuts down: finish the request in hand, then close.
struct PodShutdownEvent: Sendable {}

/// Told to every connection when the peers cut off change: serve the requests held until now if
/// their peer is no longer cut off.
struct PodCutOffChanged: Sendable {}

/// Serves one HTTP/1.1 connection of a pod, one request at a time and in order (pipelined
/// requests wait their turn), with keep-alive.
///
/// A service request waits its service time on the event loop (`scheduleTask`, never blocking
/// it), then answers, or hands its downstream calls to the pod's call pump and answers when they
/// are done. `/healthz`, `/metrics` and `/control/…` answer at once.
///
/// A connection from a peer the pod is cut off from (``PodState/isCutOff(_:)``, a partition) gets
/// no answer, as from a hung process: its requests wait, unread by the application, until the
/// cut-off is lifted (then they are served in order) or the peer closes. `/control/…` answers
/// every peer, so that a cut-off can always be lifted.
final class PodConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let state: PodState
    /// The request being received: its head and when it arrived.
    private var receiving: (head: HTTPRequestHead, arrival: NIODeadline)?
    /// Complete requests waiting for the one in hand to be answered.
    private var waiting: [(head: HTTPRequestHead, arrival: NIODeadline)] = []
    /// Whether a request is being served.
    private var busy = false
    /// Whether the connection closes after the request in hand (shutdown or `Connection: close`).
    private var closing = false
    /// The peer's IP address, which a partition may cut off.
    private var peer: String?

    init(state: PodState) {
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress?.ipAddress
        if !state.connectionOpened(context.channel) { closing = true }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.connectionClosed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            receiving = (head, .now())
        case .body:
            break
        case .end:
            guard let request = receiving else { return }
            receiving = nil
            waiting.append(request)
            serveNext(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is PodShutdownEvent {
            closing = true
            if !busy { context.close(promise: nil) }
            return
        }
        if event is PodCutOffChanged {
            serveNext(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError, !busy {
            closing = true
            busy = true
            send(PodResponse(status: 400, body: "bad request\n"), head: nil, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    // MARK: Serving

    private func serveNext(context: ChannelHandlerContext) {
        guard !busy, let next = waiting.first, context.channel.isActive else { return }
        let uri = next.head.uri
        let path = uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
        let isControl = path == "/control" || path.hasPrefix("/control/")
        // Held until the cut-off changes (PodCutOffChanged) or the peer closes.
        if !isControl, state.isCutOff(peer) { return }
        busy = true
        let (head, arrival) = waiting.removeFirst()
        if !head.isKeepAlive { closing = true }
        if path == "/healthz" {
            let healthy = state.isHealthy
            send(PodResponse(status: healthy ? 200 : 503, body: healthy ? "ok\n" : "failing\n"), head: head, context: context)
        } else if path == "/metrics" {
            send(PodResponse(status: 200, body: state.renderMetrics(), contentType: "text/plain; version=0.0.4; charset=utf-8"), head: head, context: context)
        } else if isControl {
            send(control(head: head, path: path), head: head, context: context)
        } else {
            serviceRequest(head: head, arrival: arrival, context: context)
        }
    }

    private func serviceRequest(head: HTTPRequestHead, arrival: NIODeadline, context: ChannelHandlerContext) {
        let draw = state.beginRequest()
        let configuration = state.configuration
        let loop = context.eventLoop.assumeIsolated()
        loop.scheduleTask(in: .microseconds(draw.delay)) {
            if draw.fails {
                self.answer(PodResponse(status: configuration.errorStatus, body: "\(configuration.pod): error\n"), head: head, arrival: arrival, context: context)
                return
            }
            if configuration.calls.isEmpty {
                self.answer(PodResponse(status: 200, body: "\(configuration.pod)\n"), head: head, arrival: arrival, context: context)
                return
            }
            let promise = context.eventLoop.makePromise(of: PodDownstreamOutcome.self)
            let job = PodDownstreamJob(promise: promise, firstService: configuration.calls[0].service)
            if !self.state.enqueue(job) {
                job.complete(.failed(service: configuration.calls[0].service, detail: "not called: the pod is shutting down"))
            }
            promise.futureResult.assumeIsolated().whenComplete { result in
                switch result {
                case .success(.succeeded):
                    self.answer(PodResponse(status: 200, body: "\(configuration.pod)\n"), head: head, arrival: arrival, context: context)
                case let .success(.failed(service, detail)):
                    self.answer(PodResponse(status: configuration.errorStatus, body: "\(configuration.pod): \(service) \(detail)\n"), head: head, arrival: arrival, context: context)
                case .failure:
                    self.answer(PodResponse(status: configuration.errorStatus, body: "\(configuration.pod): downstream calls not made\n"), head: head, arrival: arrival, context: context)
                }
            }
        }
    }

    /// Answers a service request and counts it.
    private func answer(_ response: PodResponse, head: HTTPRequestHead, arrival: NIODeadline, context: ChannelHandlerContext) {
        let seconds = Double((NIODeadline.now() - arrival).nanoseconds) / 1e9
        state.endRequest(status: response.status, seconds: seconds)
        send(response, head: head, context: context)
    }

    /// Writes `response` in one buffer, then closes or serves the next request.
    private func send(_ response: PodResponse, head: HTTPRequestHead?, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            busy = false
            return
        }
        if state.isShuttingDown { closing = true }
        let buffer = response.encoded(
            pod: state.configuration.pod, keepAlive: !closing, includeBody: head?.method != .HEAD,
            allocator: context.channel.allocator
        )
        busy = false
        if closing {
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            serveNext(context: context)
        }
    }

    // MARK: Control

    /// `POST /control/health?fail=1`, `/control/errors?rate=0.5`, `/control/delay?ms=200`,
    /// `/control/reset`, `/control/cut-off?peers=ADDR,…`; `GET /control/cut-off`.
    private func control(head: HTTPRequestHead, path: String) -> PodResponse {
        if path == "/control/cut-off", head.method == .GET { return Self.cutOffList(state.cutOffPeers) }
        guard head.method == .POST else { return PodResponse(status: 405, body: "control paths take POST (and GET /control/cut-off)\n") }
        let query = Self.query(of: head.uri)
        switch path {
        case "/control/health":
            guard let text = query["fail"], let fail = Self.flag(text) else {
                return PodResponse(status: 400, body: "give fail=1 or fail=0\n")
            }
            state.setHealthFailing(fail)
            return PodResponse(status: 200, body: fail ? "healthz failing\n" : "healthz ok\n")
        case "/control/errors":
            guard let text = query["rate"], let rate = try? PodConfiguration.parseErrorRate(text) else {
                return PodResponse(status: 400, body: "give rate=0.5 (a fraction) or rate=50%\n")
            }
            state.setErrorRate(rate)
            return PodResponse(status: 200, body: "error rate \(rate)\n")
        case "/control/delay":
            guard let text = query["ms"], let ms = Double(text), ms.isFinite, ms >= 0, ms <= 3_600_000 else {
                return PodResponse(status: 400, body: "give ms=200 (milliseconds added to the service time; 0 removes it)\n")
            }
            state.setExtraDelay(Int64(ms * 1000))
            return PodResponse(status: 200, body: "extra delay \(text) ms\n")
        case "/control/reset":
            state.resetControls()
            return PodResponse(status: 200, body: "reset\n")
        case "/control/cut-off":
            guard let text = query["peers"], let peers = try? PodConfiguration.parseCutOff(text) else {
                return PodResponse(status: 400, body: "give peers=127.1.0.1,127.1.0.2 (IP addresses; empty cuts off nobody)\n")
            }
            for connection in state.setCutOff(peers) {
                connection.pipeline.fireUserInboundEventTriggered(PodCutOffChanged())
            }
            return Self.cutOffList(peers)
        default:
            return PodResponse(status: 404, body: "control paths: /control/health?fail=1|0, /control/errors?rate=R, /control/delay?ms=N, /control/reset, /control/cut-off?peers=ADDR,…\n")
        }
    }

    /// The peers cut off, one address per line (an empty body for none).
    static func cutOffList(_ peers: [String]) -> PodResponse {
        PodResponse(status: 200, body: peers.map { $0 + "\n" }.joined())
    }

    /// The query's `name=value` pairs (the last one of a name wins; `%`-escapes are decoded).
    static func query(of uri: String) -> [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]), value = parts.count > 1 ? String(parts[1]) : ""
            out[name.removingPercentEncoding ?? name] = value.removingPercentEncoding ?? value
        }
        return out
    }

    private static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: return nil
        }
    }
}
