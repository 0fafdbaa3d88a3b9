import QuakeCore

/// One request read from an access log, compact: numbers, a flag set and interned names
/// (resolve them with the parser's `AccessLogSymbols`); making one allocates nothing.
public struct AccessLogRecord: Sendable, Equatable {
    /// When the request started, µs since 1970-01-01T00:00:00Z.
    public var start: Int64
    /// The request's duration in µs; nil when the log has none (`-`, null or no such field).
    public var duration: Int64?
    /// The response code; 0 when no response was sent (Envoy's `0`, a missing value).
    public var status: Int
    /// The response flags Quake knows (unknown names are only in `flagText`).
    public var flags: ResponseFlags
    /// The flags as written, e.g. `URX,UF`; `.none` for `-`.
    public var flagText: AccessLogSymbol
    /// The host that answered (`address:port`); `.none` for `-` or null.
    public var upstreamHost: AccessLogSymbol
    /// The upstream cluster, e.g. `outbound|80||svc.ns.svc.cluster.local`; `.none` when absent.
    public var upstreamCluster: AccessLogSymbol
    /// The request's `:authority`; `.none` when absent.
    public var authority: AccessLogSymbol

    /// A record from its parts.
    public init(start: Int64, duration: Int64?, status: Int, flags: ResponseFlags, flagText: AccessLogSymbol, upstreamHost: AccessLogSymbol, upstreamCluster: AccessLogSymbol, authority: AccessLogSymbol) {
        self.start = start
        self.duration = duration
        self.status = status
        self.flags = flags
        self.flagText = flagText
        self.upstreamHost = upstreamHost
        self.upstreamCluster = upstreamCluster
        self.authority = authority
    }
}
