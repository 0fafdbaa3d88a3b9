import Foundation

/// Splits the bytes of one connection into HTTP/1.1 requests with `Content-Length` bodies.
///
/// A method must be upper-case letters, so that bytes that are not HTTP at all (a TLS
/// handshake, say) are refused at once instead of waited on as an unfinished request head.
struct LoopbackRequestParser {
    /// What the bytes so far amount to.
    enum Outcome {
        case request(LoopbackHTTPRequest)
        case needMore
        case malformed(String)
    }

    /// The longest request head accepted.
    static let maxHeadBytes = 64 * 1024

    private var buffer: [UInt8] = []

    /// Adds bytes received from the connection.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Takes the next complete request off the front of the buffer, if there is one.
    mutating func next() -> Outcome {
        let method = buffer.prefix { $0 != UInt8(ascii: " ") }
        guard method.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            return .malformed("the request does not start with a method")
        }
        guard let headEnd = Self.endOfHead(in: buffer) else {
            return buffer.count > Self.maxHeadBytes ? .malformed("request head longer than \(Self.maxHeadBytes) bytes") : .needMore
        }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .malformed("bad request line \"\(lines[0])\"")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("bad header line \"\(line)\"") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
            return .malformed("chunked request bodies are not supported")
        }
        let lengthText = headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0"
        guard let length = Int(lengthText), length >= 0 else {
            return .malformed("bad Content-Length \"\(lengthText)\"")
        }
        let bodyStart = headEnd + 4
        guard buffer.count - bodyStart >= length else { return .needMore }
        let request = LoopbackHTTPRequest(
            method: String(requestLine[0]),
            path: String(requestLine[1]),
            version: String(requestLine[2]),
            headers: headers,
            body: Data(buffer[bodyStart..<bodyStart + length])
        )
        buffer.removeFirst(bodyStart + length)
        return .request(request)
    }

    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= marker.count else { return nil }
        return (0...(bytes.count - marker.count)).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) }
    }
}
