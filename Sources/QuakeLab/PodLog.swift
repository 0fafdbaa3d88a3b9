import Foundation
import Glibc

/// A pod's log: lines appended to a file, or nowhere. A pod never writes to the terminal.
///
/// Only rare events are logged (start, control changes, the first downstream failures, shutdown),
/// each as one `write(2)` of a whole line to a file opened with `O_APPEND`, so lines from
/// several writers sharing the file do not interleave.
final class PodLog: Sendable {
    private let fd: Int32
    private let pod: String

    /// A log that drops every line.
    static func none(pod: String = "") -> PodLog { PodLog(fd: -1, pod: pod) }

    /// A log appending to `path` (created if missing), or dropping every line when `path` is nil.
    static func open(path: String?, pod: String) throws -> PodLog {
        guard let path else { return .none(pod: pod) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LabError(code: .process, message: "cannot open the log file: \(String(cString: strerror(errno)))", location: path)
        }
        return PodLog(fd: fd, pod: pod)
    }

    private init(fd: Int32, pod: String) {
        self.fd = fd
        self.pod = pod
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends one line, prefixed with the time (UTC, ISO 8601) and the pod's name.
    func write(_ message: String) {
        guard fd >= 0 else { return }
        let line = "\(Date().formatted(.iso8601)) pod \(pod): \(message)\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
