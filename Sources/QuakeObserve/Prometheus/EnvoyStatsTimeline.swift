import Foundation
import QuakeCore

/// Reads what Prometheus scraped from Envoys' `/stats/prometheus` into the Timeline's shape: hosts
/// ejected by outlier detection and back (`host-ejected`, `host-returned`, as the model reports
/// them), ejections that `max_ejection_percent` blocked (`ejection-blocked`), changes of each
/// upstream cluster's healthy and total members (`membership-changed`), and per-window metric
/// series of membership, ejections and upstream requests by response class. Pure: it is fed the
/// raw samples of ``rangeQuery(seconds:)`` and does no I/O.
///
/// Every series of one scrape of one Envoy carries the same timestamp, and Prometheus shows a
/// scrape whole or not at all, so each Envoy's samples group into snapshots, compared in time
/// order; samples at or before the last snapshot taken are skipped, so overlapping answers can be
/// fed again. An event is dated by the first scrape that shows it (up to one scrape interval after
/// it happened), from `origin`; nothing that a scrape before `origin` or after the last window
/// shows is an event.
///
/// A host is ejected when its per-endpoint `healthy` gauge (`track_cluster_stats.per_endpoint_stats`)
/// drops from 1 to 0 while its cluster has an active ejection, and back when it rises again. An
/// ejection counted by `ejections_enforced_total` that no scrape saw is given to an ejected host
/// whose errors rose meanwhile (it came back and was ejected again: a return and an ejection), else
/// to a healthy host whose errors rose (ejected and back: an ejection and a return), else to the
/// service; a blocked ejection (`ejections_overflow`) to the healthy hosts whose errors rose, each
/// once until it is ejected.
public struct EnvoyStatsTimeline: Sendable {
    /// One Envoy: the value of the proxy label on every series scraped from it, and the client
    /// locality whose view of the mesh it has (events name it).
    public struct Proxy: Sendable, Hashable {
        /// The value of the proxy label (the lab's `envoy` label: `envoy-cluster1-a`).
        public var label: String
        /// The client locality of its callers.
        public var locality: Locality

        /// A proxy from its parts.
        public init(label: String, locality: Locality) {
            self.label = label
            self.locality = locality
        }
    }

    /// The start of window 0, the run's time 0.
    public let origin: Date
    /// The Timeline window.
    public let window: TimeSpan
    /// How many windows the run covers.
    public let windowCount: Int
    /// The label naming the Envoy a series was scraped from.
    public let proxyLabel: String
    /// The Prometheus job of the Envoys' targets.
    public let job: String
    /// Events found so far, in the order found (each Envoy's in time order).
    public private(set) var events: [TimelineEvent] = []

    private var proxies: [String: ProxyState] = [:]
    private var proxyOrder: [String] = []
    private var pods: [String: String] = [:]
    private var values: [MetricKey: [Double?]] = [:]
    private var valueOrder: [MetricKey] = []

    /// A reader of `proxies`' stats for `windowCount` windows of `window` from `origin`; `window`
    /// must be positive and `windowCount` at least 1.
    public init(proxies: [Proxy], origin: Date, window: TimeSpan, windowCount: Int, proxyLabel: String = "envoy", job: String = "envoy") {
        precondition(window.microseconds > 0 && windowCount > 0, "a timeline needs a positive window and at least one window")
        self.origin = origin
        self.window = window
        self.windowCount = windowCount
        self.proxyLabel = proxyLabel
        self.job = job
        for proxy in proxies where self.proxies[proxy.label] == nil {
            self.proxies[proxy.label] = ProxyState(proxy: proxy)
            proxyOrder.append(proxy.label)
        }
    }

    /// Names the pod at a host address (`127.0.0.1:20017`), so events name the pod rather than the address.
    public mutating func name(address: String, pod: String) { pods[address] = pod }

    /// The PromQL selector of every series read: per-endpoint `healthy`, `rq_error` and
    /// `rq_timeout`, and per cluster membership, outlier ejections and `upstream_rq_xx`, whether
    /// Envoy's tag extraction kept the whole cluster name in `envoy_cluster_name` or cut it at its
    /// first dot and left `<namespace>_svc_cluster_local_` in the metric's name (Envoy 1.40 does
    /// the latter for Istio's `outbound|port|subset|svc.ns.svc.cluster.local`).
    public var selector: String {
        let endpoint = "envoy_cluster_endpoint_(" + HostStat.allCases.map(\.rawValue).joined(separator: "|") + ")"
        let cluster = "envoy_cluster_(" + Self.namespacePattern + "_svc_cluster_local_)?(" + ClusterStat.allCases.map(\.rawValue).joined(separator: "|") + ")"
        return "{job=\(PromQLText.string(job)),__name__=~\"\(endpoint)|\(cluster)\"}"
    }

    /// The query whose answer ``add(_:)`` reads: every sample of ``selector`` in the `seconds`
    /// before the query's time (whole milliseconds, at least one).
    public func rangeQuery(seconds: Double) -> String {
        selector + "[\(max(1, Int((seconds * 1000).rounded(.up))))ms]"
    }

    /// Reads an answer to ``rangeQuery(seconds:)``: each Envoy's scrapes newer than the last one
    /// read, in time order. Series of other jobs' or unknown Envoys, and samples that are not
    /// finite numbers, are left out.
    /// - Throws: ``ObserveError`` `malformed` when the answer is not a matrix.
    public mutating func add(_ result: PrometheusQueryResult) throws(ObserveError) {
        guard case .matrix(let series) = result.data else {
            throw ObserveError(code: .malformed, message: "Envoy stats: expected the samples of a range selector (a matrix), got \(Self.kind(of: result.data))")
        }
        var scrapes: [String: [Double: Snapshot]] = [:]
        for item in series {
            guard let proxy = item.metric[proxyLabel], let state = proxies[proxy], let name = item.metric["__name__"],
                  let stat = Stat(metric: name), let clusterLabel = item.metric["envoy_cluster_name"] else { continue }
            let upstream = Upstream(label: clusterLabel, namespace: stat.namespace)
            for point in item.points where point.value.isFinite && point.time > state.lastTime {
                scrapes[proxy, default: [:]][point.time, default: Snapshot(time: point.time)]
                    .record(stat, point.value, upstream: upstream, metric: item.metric, proxy: proxy, proxyLabel: proxyLabel)
            }
        }
        for proxy in proxyOrder {
            guard let snapshots = scrapes[proxy] else { continue }
            for time in snapshots.keys.sorted() {
                if let snapshot = snapshots[time] { take(snapshot, proxy: proxy) }
            }
        }
    }

    /// The metric series read so far, one per Envoy, upstream cluster and figure, each under a
    /// PromQL query that gives the same values from the same Prometheus at each window's end:
    /// `membership_healthy`, `membership_total` and `outlier_detection_ejections_active` as the
    /// gauge's value; `outlier_detection_ejections_enforced_total` and `upstream_rq_xx` (one per
    /// response class) as the counter's increase over the window (`x - x offset <window>`).
    /// A window is nil until a scrape after its end has been read, and where the series had no value.
    public var metrics: [MetricSeries] {
        valueOrder.compactMap { key in
            guard let atEnd = values[key] else { return nil }
            if key.counter {
                let increases = (0..<windowCount).map { w -> Double? in
                    guard let end = atEnd[w + 1], let start = atEnd[w] else { return nil }
                    return end - start
                }
                return MetricSeries(query: "\(key.selector) - \(key.selector) offset \(window.microseconds / 1000)ms", values: increases)
            }
            return MetricSeries(query: key.selector, values: Array(atEnd.dropFirst()))
        }
    }

    // MARK: Snapshots

    /// Compares one Envoy's new scrape with its last one, and gives the windows that ended between
    /// them the last one's values.
    private mutating func take(_ snapshot: Snapshot, proxy label: String) {
        guard var state = proxies[label] else { return }
        let previous = state.last
        while state.nextEnd <= windowCount, time(ofEnd: state.nextEnd) < snapshot.time {
            if let previous, time(ofEnd: state.nextEnd) - previous.time <= Self.lookback {
                for (key, value) in previous.metrics { setValue(key, index: state.nextEnd, value) }
            }
            state.nextEnd += 1
        }
        for key in snapshot.metrics.keys.sorted(by: { $0.selector < $1.selector }) where values[key] == nil {
            values[key] = [Double?](repeating: nil, count: windowCount + 1)
            valueOrder.append(key)
        }
        if let previous {
            // Before the run, changes only set the state it starts from.
            let found = compare(previous, snapshot, state: &state)
            if snapshot.time >= origin.timeIntervalSince1970, snapshot.time <= time(ofEnd: windowCount) { events += found }
        }
        state.last = snapshot
        state.lastTime = snapshot.time
        proxies[label] = state
    }

    private mutating func setValue(_ key: MetricKey, index: Int, _ value: Double) {
        if values[key] == nil {
            values[key] = [Double?](repeating: nil, count: windowCount + 1)
            valueOrder.append(key)
        }
        values[key]?[index] = value
    }

    private func time(ofEnd index: Int) -> Double {
        origin.timeIntervalSince1970 + Double(index) * window.seconds
    }

    /// The events between two scrapes of one Envoy.
    private func compare(_ old: Snapshot, _ new: Snapshot, state: inout ProxyState) -> [TimelineEvent] {
        var events: [TimelineEvent] = []
        // A scrape time far from the run (Prometheus answers any finite number) is kept in range:
        // only scrapes within the run give events.
        let offset = ((new.time - origin.timeIntervalSince1970) * 1_000_000).rounded()
        let at = TimeSpan(microseconds: Int64(min(max(offset, -9e18), 9e18)))
        let locality = state.proxy.locality.description
        for key in new.upstreams.keys.sorted() {
            guard let now = new.upstreams[key], let before = old.upstreams[key] else { continue }
            let service = now.upstream.displayName
            let members = "(\(Self.count(now.ejectionsActive)) of \(Self.count(now.total)) ejected)"
            var seen = 0
            for address in now.hosts.keys.sorted() {
                guard let host = now.hosts[address], let was = before.hosts[address] else { continue }
                let id = HostID(upstream: key, address: address)
                if was.healthy == 1, host.healthy == 0, (now.ejectionsActive ?? 1) > 0 {
                    seen += 1
                    state.ejected.insert(id)
                    state.blocked.remove(id)
                    events.append(TimelineEvent(at: at, kind: .hostEjected, subject: pod(address), detail: "by \(locality)'s Envoy for \(service) \(members)"))
                } else if was.healthy == 0, host.healthy == 1, state.ejected.remove(id) != nil {
                    state.blocked.remove(id)
                    events.append(TimelineEvent(at: at, kind: .hostReturned, subject: pod(address), detail: "to \(locality)'s Envoy for \(service)"))
                }
            }
            for id in state.ejected.union(state.blocked) where id.upstream == key && now.hosts[id.address] == nil {
                state.ejected.remove(id)
                state.blocked.remove(id)
            }
            // Hosts that answered errors while counted healthy, and ejected hosts that answered
            // errors (so were back for a while): what an ejection no scrape showed was about.
            let failing = now.hosts.keys.sorted().filter { address in
                guard let host = now.hosts[address], let was = before.hosts[address] else { return false }
                return host.healthy == 1 && was.healthy == 1 && host.errors > was.errors
            }
            let again = now.hosts.keys.sorted().filter { address in
                guard let host = now.hosts[address], let was = before.hosts[address] else { return false }
                return host.healthy == 0 && was.healthy == 0 && host.errors > was.errors && state.ejected.contains(HostID(upstream: key, address: address))
            }
            let unseen = Self.increase(before.ejectionsEnforced, now.ejectionsEnforced) - seen
            if unseen > 0 {
                for address in again.prefix(unseen) {
                    events.append(TimelineEvent(at: at, kind: .hostReturned, subject: pod(address), detail: "to \(locality)'s Envoy for \(service)"))
                    events.append(TimelineEvent(at: at, kind: .hostEjected, subject: pod(address), detail: "by \(locality)'s Envoy for \(service) again, before the next scrape \(members)"))
                }
                for address in failing.prefix(max(0, unseen - again.count)) {
                    events.append(TimelineEvent(at: at, kind: .hostEjected, subject: pod(address), detail: "by \(locality)'s Envoy for \(service), and back before the next scrape"))
                    events.append(TimelineEvent(at: at, kind: .hostReturned, subject: pod(address), detail: "to \(locality)'s Envoy for \(service)"))
                }
                let unnamed = unseen - again.count - failing.count
                if unnamed > 0 {
                    events.append(TimelineEvent(at: at, kind: .hostEjected, subject: now.upstream.service, detail: "by \(locality)'s Envoy for \(service): \(unnamed) ejection\(unnamed == 1 ? "" : "s") of hosts no scrape showed"))
                }
            }
            if Self.increase(before.overflow, now.overflow) > 0 {
                let detail = "by \(locality)'s Envoy for \(service): max_ejection_percent reached \(members)"
                let hosts = failing.filter { state.blocked.insert(HostID(upstream: key, address: $0)).inserted }
                for address in hosts { events.append(TimelineEvent(at: at, kind: .ejectionBlocked, subject: pod(address), detail: detail)) }
                if failing.isEmpty { events.append(TimelineEvent(at: at, kind: .ejectionBlocked, subject: now.upstream.service, detail: detail)) }
            }
            if let healthy = now.healthy, let total = now.total, let wasHealthy = before.healthy, let wasTotal = before.total,
               healthy != wasHealthy || total != wasTotal {
                events.append(TimelineEvent(at: at, kind: .membershipChanged, subject: service,
                                            detail: "\(locality)'s Envoy: \(Self.count(healthy)) of \(Self.count(total)) healthy (was \(Self.count(wasHealthy)) of \(Self.count(wasTotal)))"))
            }
        }
        return events
    }

    private func pod(_ address: String) -> String { pods[address] ?? address }

    /// How much a counter rose between two scrapes (its new value after a reset), in whole units.
    private static func increase(_ old: Double?, _ new: Double?) -> Int {
        guard let new else { return 0 }
        let rise = new >= (old ?? new) ? new - (old ?? new) : new
        // A counter read below zero (no Envoy writes one) rose by nothing.
        return Int(min(max(rise.rounded(), 0), Double(Int32.max)))
    }

    private static func count(_ value: Double?) -> String {
        guard let value else { return "?" }
        return String(Int(min(max(value, 0), Double(Int32.max)).rounded()))
    }

    /// Prometheus' lookback: an instant query sees no sample older than 5 minutes.
    private static let lookback = 300.0

    /// A Kubernetes namespace, as Envoy leaves it in a metric's name.
    static let namespacePattern = "[a-z0-9-]+"

    private static func kind(of data: PrometheusResultData) -> String {
        switch data {
        case .vector: return "an instant vector"
        case .matrix: return "a matrix"
        case .scalar: return "a scalar"
        case .string: return "a string"
        }
    }
}

extension EnvoyStatsTimeline {
    /// Per-endpoint figures read.
    enum HostStat: String, CaseIterable {
        case healthy, rqError = "rq_error", rqTimeout = "rq_timeout"
    }

    /// Per-cluster figures read (the end of the metric's name).
    enum ClusterStat: String, CaseIterable {
        case membershipHealthy = "membership_healthy", membershipTotal = "membership_total"
        case ejectionsActive = "outlier_detection_ejections_active"
        case ejectionsEnforced = "outlier_detection_ejections_enforced_total"
        case ejectionsOverflow = "outlier_detection_ejections_overflow"
        case requests = "upstream_rq_xx"
    }

    /// What one series is, from its metric name.
    enum Stat {
        /// A per-endpoint figure.
        case host(HostStat)
        /// A per-cluster figure, with the namespace Envoy left in the name (`default` of
        /// `envoy_cluster_default_svc_cluster_local_…`), if it did.
        case cluster(ClusterStat, namespace: String?)

        init?(metric name: String) {
            let prefix = "envoy_cluster_"
            guard name.hasPrefix(prefix) else { return nil }
            let rest = name.dropFirst(prefix.count)
            if rest.hasPrefix("endpoint_"), let stat = HostStat(rawValue: String(rest.dropFirst("endpoint_".count))) {
                self = .host(stat)
                return
            }
            for stat in ClusterStat.allCases {
                if rest == stat.rawValue {
                    self = .cluster(stat, namespace: nil)
                    return
                }
                let folded = "_svc_cluster_local_" + stat.rawValue
                if rest.hasSuffix(folded) {
                    let space = rest.dropLast(folded.count)
                    guard !space.isEmpty, space.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else { return nil }
                    self = .cluster(stat, namespace: String(space))
                    return
                }
            }
            return nil
        }

        /// The namespace Envoy left in the name.
        var namespace: String? {
            if case let .cluster(_, namespace) = self { return namespace }
            return nil
        }
    }

    /// An upstream cluster, named whole whatever Envoy's tag extraction left in the label.
    struct Upstream: Hashable {
        /// The whole cluster name: `outbound|8080||svc2.default.svc.cluster.local`.
        var name: String
        /// The service, the host's first label (`svc2`), or the whole name for another kind of cluster.
        var service: String
        /// The DestinationRule subset, nil for the whole service.
        var subset: String?

        /// The upstream of a series labelled `label`, with `namespace` when Envoy left it in the metric's name.
        init(label: String, namespace: String?) {
            name = namespace.map { label + "." + $0 + ".svc.cluster.local" } ?? label
            let parts = name.split(separator: "|", omittingEmptySubsequences: false)
            if parts.count == 4, let host = parts[3].split(separator: ".").first {
                service = String(host)
                subset = parts[2].isEmpty ? nil : String(parts[2])
            } else {
                service = name
                subset = nil
            }
        }

        /// `svc2`, or `svc2 subset v1`.
        var displayName: String { subset.map { "\(service) subset \($0)" } ?? service }
    }

    /// A metric series of one Envoy: the selector that picks it, and whether its windows read increases.
    struct MetricKey: Hashable {
        var selector: String
        var counter: Bool
    }

    struct HostID: Hashable {
        var upstream: String
        var address: String
    }

    /// One host of one upstream in one scrape.
    struct HostStats {
        var healthy: Double?
        /// Requests that failed or timed out, since Envoy started.
        var errors: Double = 0
    }

    /// One upstream cluster in one scrape.
    struct UpstreamStats {
        var upstream: Upstream
        var healthy: Double?
        var total: Double?
        var ejectionsActive: Double?
        var ejectionsEnforced: Double?
        var overflow: Double?
        var hosts: [String: HostStats] = [:]
    }

    /// Everything one scrape of one Envoy gave.
    struct Snapshot {
        var time: Double
        var upstreams: [String: UpstreamStats] = [:]
        var metrics: [MetricKey: Double] = [:]

        mutating func record(_ stat: Stat, _ value: Double, upstream: Upstream, metric: [String: String], proxy: String, proxyLabel: String) {
            var stats = upstreams[upstream.name] ?? UpstreamStats(upstream: upstream)
            switch stat {
            case .host(let host):
                guard let address = metric["envoy_endpoint_address"] else { return }
                switch host {
                case .healthy: stats.hosts[address, default: HostStats()].healthy = value
                case .rqError, .rqTimeout: stats.hosts[address, default: HostStats()].errors += value
                }
            case .cluster(let cluster, _):
                switch cluster {
                case .membershipHealthy: stats.healthy = value
                case .membershipTotal: stats.total = value
                case .ejectionsActive: stats.ejectionsActive = value
                case .ejectionsEnforced: stats.ejectionsEnforced = value
                case .ejectionsOverflow: stats.overflow = value
                case .requests: break
                }
                if cluster != .ejectionsOverflow, let name = metric["__name__"], let label = metric["envoy_cluster_name"] {
                    var selector = "\(name){\(proxyLabel)=\(PromQLText.string(proxy)),envoy_cluster_name=\(PromQLText.string(label))"
                    if cluster == .requests {
                        guard let code = metric["envoy_response_code_class"] else { return }
                        selector += ",envoy_response_code_class=\(PromQLText.string(code))"
                    }
                    metrics[MetricKey(selector: selector + "}", counter: cluster == .requests || cluster == .ejectionsEnforced)] = value
                }
            }
            upstreams[upstream.name] = stats
        }
    }

    /// What is known of one Envoy.
    struct ProxyState {
        var proxy: Proxy
        var last: Snapshot?
        var lastTime = -Double.infinity
        /// The next window end (index k: origin + k × window) not yet given a value.
        var nextEnd = 0
        var ejected: Set<HostID> = []
        var blocked: Set<HostID> = []
    }
}
