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

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Appends a body chunk, or records that the cap was passed and returns `false` so that libcurl stops.
    func appendBody(_ chunk: Data) -> Bool {
        guard chunk.count <= maxBodyBytes - body.count else {
            bodyCapExceeded = true
            return false
        }
        body.append(chunk)
        return true
    }

    /// Takes one header line as libcurl delivers it, line ending included.
    func receiveHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append(name: name, value: value)
    }
}
