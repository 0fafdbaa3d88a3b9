import ArgumentParser
import Foundation
import QuakeModel

/// Writes the model's access-log lines to a file as they come, through a 1 MiB buffer, so memory
/// stays flat however many requests a run simulates.
final class FileAccessLog: AccessLogSink {
    private let handle: FileHandle
    private let format: AccessLogFormat
    private var buffer: [UInt8] = []
    private(set) var lines = 0

    /// Creates (or truncates) the file at `path`.
    init(path: String, format: AccessLogFormat) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: url)
        self.format = format
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ line: AccessLogLine) {
        format.append(line, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        lines += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Writes what is buffered and closes the file.
    func close() throws {
        flush()
        try handle.close()
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

extension AccessLogFormat: ExpressibleByArgument {}
