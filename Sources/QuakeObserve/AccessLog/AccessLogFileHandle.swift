import Foundation

/// An open file read with POSIX calls: the one place that turns their return codes into
/// `ObserveError`s. Closes the file when released.
final class AccessLogFileHandle {
    /// Which file a path or descriptor is, and how long it is.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        /// Whether two identities are the same file (whatever their sizes).
        func sameFile(as other: Identity) -> Bool { device == other.device && inode == other.inode }
    }

    let path: String
    private let fd: Int32

    /// Opens `path` for reading.
    init(path: String) throws(ObserveError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(path, "cannot open", errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ObserveError) -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw Self.error(path, "cannot read", errno) }
        }
    }

    /// Moves back to the start (after a truncation).
    func rewind() throws(ObserveError) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw Self.error(path, "cannot seek", errno) }
    }

    /// The position of the next read.
    func offset() throws(ObserveError) -> Int64 {
        let at = lseek(fd, 0, SEEK_CUR)
        guard at >= 0 else { throw Self.error(path, "cannot seek", errno) }
        return Int64(at)
    }

    /// The open file's identity.
    func identity() throws(ObserveError) -> Identity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(path, "cannot stat", errno) }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size))
    }

    /// The identity of whatever file `path` names now; nil when there is none.
    static func identity(of path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size))
    }

    private static func error(_ path: String, _ what: String, _ code: Int32) -> ObserveError {
        ObserveError(code: .unreadable, message: "\(what) \(path): \(String(cString: strerror(code)))", location: path)
    }
}
