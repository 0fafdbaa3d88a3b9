import QuakeCore

/// One request as Envoy's access log would record it.
public struct AccessLogLine: Sendable {
    /// Start time, µs from the run's start.
    public var start: Int64
    public var method: String
    public var path: String
    public var status: Int
    public var flags: ResponseFlags
    /// Duration, µs.
    public var duration: Int64
    /// `address:port` of the host that answered, if any.
    public var upstreamHost: String?
    public var upstreamCluster: String
    public var authority: String
    public var requestID: Int

    /// A line from its fields.
    public init(start: Int64, method: String, path: String, status: Int, flags: ResponseFlags, duration: Int64, upstreamHost: String?, upstreamCluster: String, authority: String, requestID: Int) {
        self.start = start
        self.method = method
        self.path = path
        self.status = status
        self.flags = flags
        self.duration = duration
        self.upstreamHost = upstreamHost
        self.upstreamCluster = upstreamCluster
        self.authority = authority
        self.requestID = requestID
    }
}

/// Where the model writes access-log lines as it goes (so memory does not grow with requests).
public protocol AccessLogSink: AnyObject {
    /// Takes one request's line.
    func write(_ line: AccessLogLine)
}

/// Envoy's access-log formats, for model output that the same collectors read as real Envoy's.
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// Envoy's default text format (SEMANTICS.md §4.6).
    case envoy
    /// JSON lines with the keys Quake's lab configures, in alphabetical order as Envoy writes them.
    case json

    /// The line for one request; times count from 1970-01-01T00:00:00Z (virtual time).
    public func render(_ l: AccessLogLine) -> String {
        var bytes: [UInt8] = []
        append(l, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the line (without a newline) to `out`; byte by byte, because this runs once per
    /// simulated request.
    public func append(_ l: AccessLogLine, to out: inout [UInt8]) {
        switch self {
        case .envoy:
            out.append(UInt8(ascii: "["))
            Self.timestamp(l.start, to: &out)
            out.append(contentsOf: "] \"".utf8)
            out.append(contentsOf: l.method.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: l.path.utf8)
            out.append(contentsOf: " HTTP/1.1\" ".utf8)
            Self.integer(Int64(l.status), to: &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: l.flags.description.utf8)
            out.append(contentsOf: " 0 0 ".utf8)
            Self.integer(l.duration / 1000, to: &out)
            out.append(contentsOf: " - \"-\" \"quake-model\" \"".utf8)
            Self.requestID(l.requestID, to: &out)
            out.append(contentsOf: "\" \"".utf8)
            out.append(contentsOf: l.authority.utf8)
            out.append(contentsOf: "\" \"".utf8)
            out.append(contentsOf: (l.upstreamHost ?? "-").utf8)
            out.append(UInt8(ascii: "\""))
        case .json:
            out.append(contentsOf: "{\"authority\":\"".utf8)
            out.append(contentsOf: l.authority.utf8)
            out.append(contentsOf: "\",\"code\":".utf8)
            Self.integer(Int64(l.status), to: &out)
            out.append(contentsOf: ",\"duration_ms\":".utf8)
            Self.integer(l.duration / 1000, to: &out)
            out.append(contentsOf: ",\"flags\":\"".utf8)
            out.append(contentsOf: l.flags.description.utf8)
            out.append(contentsOf: "\",\"method\":\"".utf8)
            out.append(contentsOf: l.method.utf8)
            out.append(contentsOf: "\",\"path\":\"".utf8)
            out.append(contentsOf: l.path.utf8)
            out.append(contentsOf: "\",\"request_id\":\"".utf8)
            Self.requestID(l.requestID, to: &out)
            out.append(contentsOf: "\",\"start_time\":\"".utf8)
            Self.timestamp(l.start, to: &out)
            out.append(contentsOf: "\",\"upstream_cluster\":\"".utf8)
            out.append(contentsOf: l.upstreamCluster.utf8)
            out.append(contentsOf: "\",\"upstream_host\":".utf8)
            if let host = l.upstreamHost {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: host.utf8)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `quake-0000000042`.
    static func requestID(_ n: Int, to out: inout [UInt8]) {
        out.append(contentsOf: "quake-".utf8)
        padded(Int64(n), width: 10, to: &out)
    }

    /// `1970-01-01T00:02:05.123Z` for 125.123 s.
    static func timestamp(_ us: Int64, to out: inout [UInt8]) {
        let totalMs = us / 1000
        var s = totalMs / 1000
        let days = s / 86400
        s %= 86400
        out.append(contentsOf: "1970-01-".utf8)
        padded(days + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        padded(s / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        padded((s % 3600) / 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        padded(s % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        padded(totalMs % 1000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    static func integer(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 {
            out.append(UInt8(ascii: "-"))
            integer(-v, to: &out)
            return
        }
        padded(v, width: 1, to: &out)
    }

    /// `v` (≥ 0) in decimal, with leading zeros up to `width` digits.
    static func padded(_ v: Int64, width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        var digits = 1
        while divisor <= v / 10 {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { out.append(UInt8(ascii: "0")) }
        var x = v
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(x / divisor))
            x %= divisor
            divisor /= 10
        }
    }
}
