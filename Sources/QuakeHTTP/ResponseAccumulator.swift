import Foundation

/// Collects one transfer's status-line-delimited headers and its body as libcurl hands them over,
/// refusing body bytes past the cap. Used only on the engine's thread.
final class ResponseAccumulator {
    private let maxBodyBytes: Int
    /// The headers of the latest response seen; an interim response (such as `100 Continue`, or
    /// a redirect that is followed) is replaced by the next.
    private(set) var headers = HTTPHeaders()
    /// The body received so far.
    private(set) var body = Data()
    /// Whether a body chunk was refused because it would have passed the cap.
    private(set) var bodyCapExceeded = false
    /// Where the body goes instead, if it streams.
    private let sink: HTTPBodySink?
    /// Whether the sink refused a chunk.
    private(set) var sinkStopped = false

    init(maxBodyBytes: Int, sink: HTTPBodySink? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.sink = sink
    }

    /// Appends a body chunk (or hands it to the sink), or records that the cap was passed or the
    /// sink stopped, returning `false` so that libcurl stops.
    func appendBody(_ chunk: Data) -> Bool {
        if let sink {
            // The chunk's bytes belong to libcurl: the sink gets a copy.
            guard sink.receive(Data(chunk)) else {
                sinkStopped = true
                return false
            }
            return true
        }
        guard chunk.count <= maxBodyBytes - body.count else {
            bodyCapExceeded = true
            return false
        }
        body.append(chunk)
        return true
    }

    /// Starts the headers of a new response (a status line arrived), dropping an interim one's.
    func beginResponse() {
        headers = HTTPHeaders()
    }

    /// Adds a header field of the current response.
    func append(name: String, value: String) {
        headers.append(name: name, value: value)
    }
}
