/// When each phase of a transfer ended, measured by libcurl from the start of the transfer, to the microsecond.
///
/// The values are cumulative, so `connect - dns` is the time spent connecting. A phase that
/// did not happen (TLS on a plain `http` URL) reads zero.
public struct HTTPTimings: Hashable, Sendable {
    /// Name resolution finished (`CURLINFO_NAMELOOKUP_TIME_T`).
    public var dns: Duration
    /// The TCP connection was established (`CURLINFO_CONNECT_TIME_T`).
    public var connect: Duration
    /// The TLS handshake finished, or zero without TLS (`CURLINFO_APPCONNECT_TIME_T`).
    public var tls: Duration
    /// The first byte of the response arrived (`CURLINFO_STARTTRANSFER_TIME_T`).
    public var firstByte: Duration
    /// The transfer finished (`CURLINFO_TOTAL_TIME_T`).
    public var total: Duration

    /// Creates timings from phase end times.
    public init(dns: Duration, connect: Duration, tls: Duration, firstByte: Duration, total: Duration) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
    }
}
