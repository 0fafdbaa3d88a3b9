import Foundation
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
        let start = Self.timestamp(l.start)
        let ms = l.duration / 1000
        let code = l.status
        switch self {
        case .envoy:
            return "[\(start)] \"\(l.method) \(l.path) HTTP/1.1\" \(code) \(l.flags) 0 0 \(ms) - \"-\" \"quake-model\" \"\(Self.requestID(l.requestID))\" \"\(l.authority)\" \"\(l.upstreamHost ?? "-")\""
        case .json:
            let host = l.upstreamHost.map { "\"\($0)\"" } ?? "null"
            return "{\"authority\":\"\(l.authority)\",\"code\":\(code),\"duration_ms\":\(ms),\"flags\":\"\(l.flags)\",\"method\":\"\(l.method)\",\"path\":\"\(l.path)\",\"request_id\":\"\(Self.requestID(l.requestID))\",\"start_time\":\"\(start)\",\"upstream_cluster\":\"\(l.upstreamCluster)\",\"upstream_host\":\(host)}"
        }
    }

    static func requestID(_ n: Int) -> String { String(format: "quake-%010d", n) }

    /// `1970-01-01T00:02:05.123Z` for 125.123 s.
    static func timestamp(_ us: Int64) -> String {
        let totalMs = us / 1000
        let ms = totalMs % 1000
        var s = totalMs / 1000
        let days = s / 86400
        s %= 86400
        return String(format: "1970-01-%02lldT%02lld:%02lld:%02lld.%03lldZ", days + 1, s / 3600, (s % 3600) / 60, s % 60, ms)
    }
}
