import QuakeCore

/// What access logs show without a plan: requests by response code, by flag (each on its own and
/// per combination as written, like `URX,UF`), by upstream cluster and host, and latency
/// percentiles, for the whole log and per window of start time.
public struct ObservedSummary: Sendable, Equatable {
    /// The figures of one window, or of the whole log.
    public struct Counts: Sendable, Equatable {
        /// Where the window starts, µs since the epoch; nil for the whole log.
        public var start: Int64?
        /// Requests.
        public var requests: Int
        /// Requests per response code (0 for none), by code.
        public var codes: [ObservedCount]
        /// Requests with each flag, counted on its own, most first.
        public var flags: [ObservedCount]
        /// Requests per flag combination as written (`-` for none), most first.
        public var flagCombinations: [ObservedCount]
        /// Requests per upstream cluster (`-` for none), most first.
        public var upstreamClusters: [ObservedCount]
        /// Requests per upstream host (`-` for none), most first.
        public var upstreamHosts: [ObservedCount]
        /// Latency percentiles.
        public var latency: ObservedLatency

        /// Figures from their parts.
        public init(start: Int64?, requests: Int, codes: [ObservedCount], flags: [ObservedCount], flagCombinations: [ObservedCount], upstreamClusters: [ObservedCount], upstreamHosts: [ObservedCount], latency: ObservedLatency) {
            self.start = start
            self.requests = requests
            self.codes = codes
            self.flags = flags
            self.flagCombinations = flagCombinations
            self.upstreamClusters = upstreamClusters
            self.upstreamHosts = upstreamHosts
            self.latency = latency
        }
    }

    /// The window length.
    public var window: TimeSpan
    /// Where the first window starts, µs since the epoch.
    public var start: Int64
    /// The whole log.
    public var total: Counts
    /// Each window from `start`, empty ones included.
    public var windows: [Counts]
    /// The lines that could not be read.
    public var malformed: AccessLogMalformedLines
    /// Records dropped: before a given origin, or too far from the rest (see `AccessLogAggregator.maxWindows`).
    public var dropped: Int

    /// A summary from its parts.
    public init(window: TimeSpan, start: Int64, total: Counts, windows: [Counts], malformed: AccessLogMalformedLines, dropped: Int) {
        self.window = window
        self.start = start
        self.total = total
        self.windows = windows
        self.malformed = malformed
        self.dropped = dropped
    }
}
