/// What a run observed, in one shape for every target: per-window traffic counts, latency
/// histograms, ready replicas, and events. Scoring and reports read only this.
public struct Timeline: Sendable, Equatable {
    /// The observation window.
    public var window: TimeSpan
    /// How many windows the run covers.
    public var windowCount: Int
    /// Request counts by service × client locality × destination cluster.
    public private(set) var traffic: [TrafficSeries] = []
    /// Latency histograms by service × client locality.
    public private(set) var latency: [LatencySeries] = []
    /// Ready replicas by service × cluster at the end of each window.
    public private(set) var replicas: [ReplicaSeries] = []
    /// Probe checks and passes per window, by probe name.
    public private(set) var probes: [ProbeSeries] = []
    /// Values of PromQL SLIs per window, by query.
    public private(set) var metrics: [MetricSeries] = []
    /// Events in time order.
    public var events: [TimelineEvent] = []
    /// What went wrong observing the run without stopping it (a source that stopped answering for a
    /// while), for the report.
    public var warnings: [String] = []
    /// By service, the windows whose traffic the target could not observe (its source never
    /// answered for them): their traffic SLIs have no data, rather than the values of a window
    /// without requests. Empty when every window was observed.
    public var unobservedTraffic: [String: Set<Int>] = [:]

    private var trafficIndex: [TrafficKey: Int] = [:]
    private var latencyIndex: [LatencyKey: Int] = [:]
    private var replicaIndex: [ReplicaKey: Int] = [:]

    /// An empty timeline of `windowCount` windows of `window`.
    public init(window: TimeSpan, windowCount: Int) {
        self.window = window
        self.windowCount = windowCount
    }

    /// The window a time falls in (clamped to the run).
    public func windowIndex(at t: TimeSpan) -> Int {
        min(windowCount - 1, max(0, Int(t.microseconds / max(1, window.microseconds))))
    }

    /// Adds a whole traffic series (a target that counted on its own); a series with the same key is replaced.
    public mutating func add(_ series: TrafficSeries) {
        precondition(series.requests.count == windowCount, "series of \(series.requests.count) windows in a timeline of \(windowCount)")
        if let i = trafficIndex[series.key] { traffic[i] = series; return }
        traffic.append(series)
        trafficIndex[series.key] = traffic.count - 1
    }

    /// Adds a whole latency series; a series with the same key is replaced.
    public mutating func add(_ series: LatencySeries) {
        precondition(series.histograms.count == windowCount, "series of \(series.histograms.count) windows in a timeline of \(windowCount)")
        if let i = latencyIndex[series.key] { latency[i] = series; return }
        latency.append(series)
        latencyIndex[series.key] = latency.count - 1
    }

    /// Adds a PromQL query's values; a series of the same query is replaced.
    public mutating func add(_ series: MetricSeries) {
        precondition(series.values.count == windowCount, "metric series of the wrong length")
        metrics.removeAll { $0.query == series.query }
        metrics.append(series)
    }

    /// Adds a probe's series; a series with the same name is replaced.
    public mutating func add(_ series: ProbeSeries) {
        precondition(series.checks.count == windowCount && series.passes.count == windowCount, "probe series of the wrong length")
        probes.removeAll { $0.name == series.name }
        probes.append(series)
    }

    /// The index of a replica series, created on first use.
    public mutating func replicaSeries(_ key: ReplicaKey) -> Int {
        if let i = replicaIndex[key] { return i }
        replicas.append(ReplicaSeries(key: key, windowCount: windowCount))
        replicaIndex[key] = replicas.count - 1
        return replicas.count - 1
    }

    /// Sets the ready replicas of a series for a window.
    public mutating func setReplicas(series: Int, window: Int, ready: Int) {
        replicas[series].ready[window] = ready
    }

    /// Appends an event.
    public mutating func add(_ event: TimelineEvent) { events.append(event) }
}

/// Identifies a traffic series.
public struct TrafficKey: Hashable, Sendable {
    /// The called service.
    public var service: String
    /// The caller's locality (a load's `from`, or the calling pod's); nil when the source does not say (an access log).
    public var client: Locality?
    /// The cluster of the host that answered; nil when no host answered (aborts, no healthy upstream) or the source does not say.
    public var destinationCluster: String?

    /// A key from its parts.
    public init(service: String, client: Locality?, destinationCluster: String?) {
        self.service = service
        self.client = client
        self.destinationCluster = destinationCluster
    }
}

/// Identifies a latency series.
public struct LatencyKey: Hashable, Sendable {
    /// The called service.
    public var service: String
    /// The caller's locality; nil when the source does not say.
    public var client: Locality?

    /// A key from its parts.
    public init(service: String, client: Locality?) {
        self.service = service
        self.client = client
    }
}

/// Identifies a replica series.
public struct ReplicaKey: Hashable, Sendable {
    /// The service.
    public var service: String
    /// The cluster.
    public var cluster: String

    /// A key from its parts.
    public init(service: String, cluster: String) {
        self.service = service
        self.cluster = cluster
    }
}

/// Per-window request counts of one series, stored column-wise.
public struct TrafficSeries: Sendable, Equatable {
    /// What the series counts.
    public let key: TrafficKey
    /// Requests finished in each window.
    public private(set) var requests: [UInt32]
    /// Requests answered without a 5xx, a local failure (status 0) or a 429.
    public private(set) var successes: [UInt32]
    /// Status classes per window: index `w * 6 + c`, c = 0 (no response), 1…5 (1xx…5xx).
    public private(set) var statusClasses: [UInt32]
    /// Flag counts per window: index `w * ResponseFlags.count + i`, i as in `ResponseFlags.named`.
    public private(set) var flags: [UInt32]

    /// A series from counts laid out as the properties document.
    public init(key: TrafficKey, requests: [UInt32], successes: [UInt32], statusClasses: [UInt32], flags: [UInt32]) {
        precondition(successes.count == requests.count && statusClasses.count == requests.count * 6 && flags.count == requests.count * ResponseFlags.count)
        self.key = key
        self.requests = requests
        self.successes = successes
        self.statusClasses = statusClasses
        self.flags = flags
    }

    /// Whether a status counts as a success.
    @inline(__always)
    public static func isSuccess(_ status: Int) -> Bool { status > 0 && status < 500 && status != 429 }

    /// Requests of window `w` with response flag `flag` set.
    public func count(of flag: ResponseFlags, window w: Int) -> Int {
        guard let i = ResponseFlags.index(of: flag) else { return 0 }
        return Int(flags[w * ResponseFlags.count + i])
    }

    /// Requests of window `w` in status class `c` (0 for no response, 1…5).
    public func count(ofClass c: Int, window w: Int) -> Int { Int(statusClasses[w * 6 + c]) }
}

/// Per-window latency histograms of one series.
public struct LatencySeries: Sendable, Equatable {
    /// What the series measures.
    public let key: LatencyKey
    /// One histogram per window.
    public internal(set) var histograms: [LatencyHistogram]

    /// A series from one histogram per window.
    public init(key: LatencyKey, histograms: [LatencyHistogram]) {
        self.key = key
        self.histograms = histograms
    }
}

/// Ready replicas of one service in one cluster at the end of each window.
public struct ReplicaSeries: Sendable, Equatable {
    /// What the series counts.
    public let key: ReplicaKey
    /// Ready replicas per window.
    public internal(set) var ready: [Int]

    init(key: ReplicaKey, windowCount: Int) {
        self.key = key
        ready = [Int](repeating: 0, count: windowCount)
    }
}

/// Checks of one probe per window, and how many passed.
public struct ProbeSeries: Sendable, Equatable {
    /// The probe's name.
    public let name: String
    /// Checks made in each window.
    public var checks: [UInt32]
    /// Checks that passed in each window.
    public var passes: [UInt32]

    /// A series from its counts.
    public init(name: String, checks: [UInt32], passes: [UInt32]) {
        self.name = name
        self.checks = checks
        self.passes = passes
    }
}

/// The value of a PromQL query in each window, as the target's Prometheus answered it.
public struct MetricSeries: Sendable, Equatable {
    /// The query, as the plan writes it.
    public let query: String
    /// One value per window; nil where Prometheus had no point.
    public var values: [Double?]

    /// A series from its values.
    public init(query: String, values: [Double?]) {
        self.query = query
        self.values = values
    }
}
