/// What a pod counts, rendered as Prometheus text on `/metrics`: requests by status code, a
/// latency histogram, requests in flight, connections and downstream calls.
///
/// Only service requests are counted as requests; `/healthz`, `/metrics` and `/control/…` are
/// not, so a scraper or a health checker does not change the figures it reads.
struct PodMetrics {
    /// Upper bounds of the latency histogram's buckets, in seconds (`+Inf` is added when rendered).
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Finished service requests by status code.
    private(set) var requestsByCode: [Int: Int] = [:]
    /// Per bucket, the requests that took at most its bound (not cumulative; summed when rendered).
    private(set) var bucketCounts = [Int](repeating: 0, count: PodMetrics.bucketBounds.count + 1)
    /// The sum of all latencies, seconds.
    private(set) var latencySum = 0.0
    /// Service requests received and not yet answered.
    private(set) var inFlight = 0
    /// TCP connections accepted since start.
    private(set) var connectionsAccepted = 0
    /// TCP connections open now.
    private(set) var connectionsOpen = 0
    /// Downstream calls by called service and status code (0 when no response came).
    private(set) var downstreamCalls: [DownstreamKey: Int] = [:]

    /// A downstream call's service and outcome.
    struct DownstreamKey: Hashable {
        var service: String
        var code: Int
    }

    mutating func requestStarted() { inFlight += 1 }

    mutating func requestFinished(status: Int, seconds: Double) {
        inFlight -= 1
        requestsByCode[status, default: 0] += 1
        latencySum += seconds
        let bucket = Self.bucketBounds.firstIndex { seconds <= $0 } ?? Self.bucketBounds.count
        bucketCounts[bucket] += 1
    }

    mutating func connectionOpened() {
        connectionsAccepted += 1
        connectionsOpen += 1
    }

    mutating func connectionClosed() { connectionsOpen -= 1 }

    mutating func downstreamCalled(service: String, code: Int) {
        downstreamCalls[DownstreamKey(service: service, code: code), default: 0] += 1
    }

    /// The Prometheus text exposition (format 0.0.4) of every figure, labelled with the pod's
    /// `service` and `pod`.
    func render(service: String, pod: String) -> String {
        let base = "service=\"\(Self.escape(service))\",pod=\"\(Self.escape(pod))\""
        var out = ""
        out += "# HELP quake_pod_requests_total Service requests answered, by status code.\n"
        out += "# TYPE quake_pod_requests_total counter\n"
        for (code, count) in requestsByCode.sorted(by: { $0.key < $1.key }) {
            out += "quake_pod_requests_total{\(base),code=\"\(code)\"} \(count)\n"
        }
        out += "# HELP quake_pod_request_duration_seconds Time from a request's arrival to its answer, downstream calls included.\n"
        out += "# TYPE quake_pod_request_duration_seconds histogram\n"
        var cumulative = 0
        for (i, bound) in Self.bucketBounds.enumerated() {
            cumulative += bucketCounts[i]
            out += "quake_pod_request_duration_seconds_bucket{\(base),le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += bucketCounts[Self.bucketBounds.count]
        out += "quake_pod_request_duration_seconds_bucket{\(base),le=\"+Inf\"} \(cumulative)\n"
        out += "quake_pod_request_duration_seconds_sum{\(base)} \(latencySum)\n"
        out += "quake_pod_request_duration_seconds_count{\(base)} \(cumulative)\n"
        out += "# HELP quake_pod_requests_in_flight Service requests received and not yet answered.\n"
        out += "# TYPE quake_pod_requests_in_flight gauge\n"
        out += "quake_pod_requests_in_flight{\(base)} \(inFlight)\n"
        out += "# HELP quake_pod_connections_total TCP connections accepted since the pod started.\n"
        out += "# TYPE quake_pod_connections_total counter\n"
        out += "quake_pod_connections_total{\(base)} \(connectionsAccepted)\n"
        out += "# HELP quake_pod_connections_open TCP connections open now.\n"
        out += "# TYPE quake_pod_connections_open gauge\n"
        out += "quake_pod_connections_open{\(base)} \(connectionsOpen)\n"
        out += "# HELP quake_pod_downstream_requests_total Downstream calls by called service and status code (0: no response).\n"
        out += "# TYPE quake_pod_downstream_requests_total counter\n"
        for (key, count) in downstreamCalls.sorted(by: { ($0.key.service, $0.key.code) < ($1.key.service, $1.key.code) }) {
            out += "quake_pod_downstream_requests_total{\(base),downstream=\"\(Self.escape(key.service))\",code=\"\(key.code)\"} \(count)\n"
        }
        return out
    }

    /// A label value with `\`, `"` and line breaks escaped as the text format requires.
    private static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
