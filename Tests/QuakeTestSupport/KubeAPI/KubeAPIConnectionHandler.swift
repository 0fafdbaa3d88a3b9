import NIOCore
import NIOHTTP1
import NIOSSL

/// Serves one TLS connection of the double: gathers each request, asks the service for the
/// answer and writes it, or starts a watch stream (chunked JSON lines) that lasts until the
/// client goes, its `timeoutSeconds` pass or the server stops. NIO's pipelining helper keeps
/// requests in order, so a watch holds its connection as it does on a real server. A request
/// through Karmada's cluster proxy is answered (or its watch streamed) by the member's service
/// on this connection, after waiting, like any request, while the member hangs.
final class KubeAPIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let service: KubeAPIService
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// The open watch of this connection and the store it follows, to stop when the client goes.
    private var watch: (store: KubeAPIStore, id: Int)?

    init(service: KubeAPIService) {
        self.service = service
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
            body = []
        case var .body(buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let request = KubeAPIRequest(
                method: head.method.rawValue, target: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body,
                certificate: clientCertificate(context: context)
            )
            let record = service.record(request)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let held = service.holdIfHanging {
                bound.eventLoop.execute { bound.value.0.answer(request, record: record, context: bound.value.1) }
            }
            if !held { answer(request, record: record, context: context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let watch { watch.store.stop(watch.id) }
        context.fireChannelInactive()
    }

    /// The verified client certificate's subject (the TLS handler let only certificates the
    /// authority signed through).
    private func clientCertificate(context: ChannelHandlerContext) -> (commonName: String, organizations: [String])? {
        guard let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let certificate = tls.peerCertificate
        else { return nil }
        let names = certificate.subjectName
        let commonName = names.first { $0.type == .commonName }?.value ?? ""
        return (commonName, names.filter { $0.type == .organization }.map(\.value))
    }

    private func answer(_ request: KubeAPIRequest, record: Int, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        deliver(service.respond(to: request, record: record), from: service, request: request, context: context) { [service] status in
            service.note(record, status: status)
        }
    }

    /// Sends `reply`, which `answering` gave to `request`, and tells `answered` its status; a
    /// proxied request is logged by the member, held while the member hangs, and answered by it.
    private func deliver(_ reply: KubeAPIService.Reply, from answering: KubeAPIService, request: KubeAPIRequest, context: ChannelHandlerContext, answered: @escaping @Sendable (Int) -> Void) {
        guard context.channel.isActive else { return }
        switch reply {
        case let .response(status, contentType, text):
            answered(status)
            let headers = HTTPHeaders([("Content-Type", contentType), ("Cache-Control", "no-cache, private"), ("Content-Length", String(text.utf8.count))])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
            if request.method != "HEAD" {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case let .watch(plan):
            answered(200)
            startWatch(plan, store: answering.store, context: context)
        case let .proxy(member, forwarded, caller):
            let record = member.record(forwarded)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let noted: @Sendable (Int) -> Void = { status in
                member.note(record, status: status)
                answered(status)
            }
            let held = member.holdIfHanging {
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.deliver(member.respond(toForwarded: forwarded, as: caller, record: record), from: member, request: forwarded, context: context, answered: noted)
                }
            }
            if !held { deliver(member.respond(toForwarded: forwarded, as: caller, record: record), from: member, request: forwarded, context: context, answered: noted) }
        }
    }

    private func startWatch(_ plan: KubeAPIWatchPlan, store: KubeAPIStore, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", plan.presentation.contentType), ("Cache-Control", "no-cache, private")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let channel = context.channel
        let watch = KubeAPIWatch(
            plan: plan,
            send: { line in channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: line))), promise: nil) },
            end: { channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil) }
        )
        guard let id = store.start(watch, from: plan.resourceVersion, initialEventsEnd: plan.initialEventsEnd) else { return }
        self.watch = (store, id)
        if let seconds = plan.timeoutSeconds {
            context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) {
                store.stop(id)?.finish()
            }
        }
    }
}
