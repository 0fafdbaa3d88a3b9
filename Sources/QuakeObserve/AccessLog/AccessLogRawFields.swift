/// The bytes of the fields Quake reads from one line, before they are checked and converted:
/// nil for a field the line does not have, empty for a JSON null. Valid only while the line's bytes are.
struct AccessLogRawFields {
    var start: UnsafeBufferPointer<UInt8>?
    var code: UnsafeBufferPointer<UInt8>?
    var flags: UnsafeBufferPointer<UInt8>?
    var duration: UnsafeBufferPointer<UInt8>?
    var host: UnsafeBufferPointer<UInt8>?
    var cluster: UnsafeBufferPointer<UInt8>?
    var authority: UnsafeBufferPointer<UInt8>?

    @inline(__always)
    mutating func set(_ role: AccessLogField.Role, _ value: UnsafeBufferPointer<UInt8>) {
        switch role {
        case .startTime: start = value
        case .responseCode: code = value
        case .responseFlags: flags = value
        case .duration: duration = value
        case .upstreamHost: host = value
        case .upstreamCluster: cluster = value
        case .authority: authority = value
        case .skipped: break
        }
    }
}
