/// Follows an access log as it grows, like `tail -F`: reads what is there, then what is appended,
/// polling. When the file is truncated it starts again from the top; when it is replaced
/// (rotated), it finishes the old file and opens the new one; when it does not exist yet, it waits.
/// Envoy flushes its log every 1–10 s, so a caller closing a window waits for that in `idle`.
public struct AccessLogTail: Sendable {
    /// The file to follow.
    public let path: String
    /// How long to sleep when there is nothing new.
    public let pollInterval: Duration

    /// A tail of `path`, polling every `pollInterval`.
    public init(path: String, pollInterval: Duration = .milliseconds(200)) {
        self.path = path
        self.pollInterval = pollInterval
    }

    /// Reads records into `body` until `idle` (called with the parser each time everything written so far has been
    /// read) returns false, or the task is cancelled. A line still without its newline stays in
    /// the parser. Throws `.unreadable` when the file exists but cannot be read.
    public func follow(into parser: inout AccessLogParser, _ body: (AccessLogRecord) -> Void, idle: (_ parser: AccessLogParser) -> Bool) async throws(ObserveError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: AccessLogFile.chunkSize, alignment: AccessLogFile.bufferAlignment)
        defer { buffer.deallocate() }
        var file: AccessLogFileHandle?
        while !Task.isCancelled {
            if file == nil, AccessLogFileHandle.identity(of: path) != nil {
                file = try AccessLogFileHandle(path: path)
                parser.restart()
            }
            if let open = file {
                let current = try open.identity()
                if current.size < (try open.offset()) {
                    try open.rewind()
                    parser.restart()
                }
                while true {
                    let n = try open.read(into: buffer)
                    if n == 0 { break }
                    parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), body)
                }
                if let named = AccessLogFileHandle.identity(of: path), !named.sameFile(as: current) {
                    parser.finish(body)
                    file = nil
                    continue
                }
            }
            guard idle(parser) else { return }
            do { try await Task.sleep(for: pollInterval) } catch { return }
        }
    }
}
