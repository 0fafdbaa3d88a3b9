extension LoopbackHTTPServer {
    /// Serves requests on one connection until either side closes it or the server stops; closes the socket.
    func serve(_ connection: Int32) {
        defer { LoopbackSocket.close(connection) }
        var parser = LoopbackRequestParser()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            switch parser.next() {
            case .request(let request):
                record(request)
                guard (try? reply(to: request, on: connection)) == true else { return }
            case .malformed(let reason):
                let response = LoopbackHTTPResponse(status: 400, text: reason)
                try? LoopbackSocket.send(connection, response.serialized(keepAlive: false, includeBody: true))
                return
            case .needMore:
                guard (try? LoopbackSocket.wait(for: connection, stop: stopRead, timeout: nil)) == .readable else { return }
                guard let count = try? LoopbackSocket.receive(connection, into: &buffer), count > 0 else {
                    recordClientClose()
                    return
                }
                parser.append(buffer[..<count])
            }
        }
    }

    /// Carries out the handler's reply; returns whether the connection stays open for another request.
    private func reply(to request: LoopbackHTTPRequest, on connection: Int32) throws -> Bool {
        switch handler(request) {
        case .respond(let response, let delay):
            if delay > .zero, try LoopbackSocket.wait(for: nil, stop: stopRead, timeout: delay) == .stopped {
                return false
            }
            let keepAlive = request.wantsKeepAlive && !response.closesConnection
            try LoopbackSocket.send(connection, response.serialized(keepAlive: keepAlive, includeBody: request.method != "HEAD"))
            return keepAlive
        case .hang:
            var discard = [UInt8](repeating: 0, count: 4096)
            while try LoopbackSocket.wait(for: connection, stop: stopRead, timeout: nil) == .readable {
                guard (try? LoopbackSocket.receive(connection, into: &discard)).map({ $0 > 0 }) == true else {
                    recordClientClose()
                    return false
                }
            }
            return false
        case .close:
            return false
        case .reset:
            try LoopbackSocket.lingerZero(connection)
            return false
        case .truncated(let response, let afterBytes, let reset):
            let bytes = response.serialized(keepAlive: false, includeBody: request.method != "HEAD")
            try LoopbackSocket.send(connection, Array(bytes.prefix(afterBytes)))
            if reset {
                try LoopbackSocket.lingerZero(connection)
            }
            return false
        case .stream(let stream):
            try LoopbackSocket.send(connection, stream.head)
            var sent = 0
            // The server's stop is checked before each piece; a client that stops reading and
            // closes makes the next send fail.
            while try LoopbackSocket.wait(for: nil, stop: stopRead, timeout: stream.pause) != .stopped, let piece = stream.piece(afterSending: sent) {
                try LoopbackSocket.send(connection, piece)
                sent += piece.count
            }
            return false
        }
    }
}
