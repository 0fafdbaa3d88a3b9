/// What one `/stats/prometheus` page says about one Envoy cluster; `nil` where the page has no such series.
struct EnvoyClusterStats: Encodable {
    var name: String
    var requestsTotal: Double?
    /// `upstream_rq_xx` by response code class, keyed `"1"` to `"5"`.
    var requestsByClass: [String: Double] = [:]
    var retries: Double?
    var retryLimitExceeded: Double?
    var timeouts: Double?
    var pendingOverflow: Double?
    var connectFailures: Double?
    var membershipHealthy: Double?
    var membershipTotal: Double?
    var ejectionsActive: Double?
    var ejectionsEnforcedTotal: Double?
    var ejectionsOverflow: Double?

    init(name: String) {
        self.name = name
    }

    /// Where the per-cluster series called `name` goes, or `nil` if the report does not read it.
    static func field(_ name: String) -> WritableKeyPath<EnvoyClusterStats, Double?>? {
        switch name {
        case "envoy_cluster_upstream_rq_total": \.requestsTotal
        case "envoy_cluster_upstream_rq_retry": \.retries
        case "envoy_cluster_upstream_rq_retry_limit_exceeded": \.retryLimitExceeded
        case "envoy_cluster_upstream_rq_timeout": \.timeouts
        case "envoy_cluster_upstream_rq_pending_overflow": \.pendingOverflow
        case "envoy_cluster_upstream_cx_connect_fail": \.connectFailures
        case "envoy_cluster_membership_healthy": \.membershipHealthy
        case "envoy_cluster_membership_total": \.membershipTotal
        case "envoy_cluster_outlier_detection_ejections_active": \.ejectionsActive
        case "envoy_cluster_outlier_detection_ejections_enforced_total": \.ejectionsEnforcedTotal
        case "envoy_cluster_outlier_detection_ejections_overflow": \.ejectionsOverflow
        default: nil
        }
    }

    private enum Keys: String, CodingKey {
        case name, upstreamRequests, total, byClass, retries, retryLimitExceeded, timeouts, pendingOverflow
        case connectFailures, membership, healthy, outlierEjections, active, enforcedTotal, overflow
    }

    /// Every field is written, a missing series as `null`, so the shape does not depend on the page.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(name, forKey: .name)
        var requests = container.nestedContainer(keyedBy: Keys.self, forKey: .upstreamRequests)
        try requests.encode(requestsTotal, forKey: .total)
        try requests.encode(Dictionary(uniqueKeysWithValues: requestsByClass.map { ("\($0)xx", $1) }), forKey: .byClass)
        try container.encode(retries, forKey: .retries)
        try container.encode(retryLimitExceeded, forKey: .retryLimitExceeded)
        try container.encode(timeouts, forKey: .timeouts)
        try container.encode(pendingOverflow, forKey: .pendingOverflow)
        try container.encode(connectFailures, forKey: .connectFailures)
        var membership = container.nestedContainer(keyedBy: Keys.self, forKey: .membership)
        try membership.encode(membershipHealthy, forKey: .healthy)
        try membership.encode(membershipTotal, forKey: .total)
        var ejections = container.nestedContainer(keyedBy: Keys.self, forKey: .outlierEjections)
        try ejections.encode(ejectionsActive, forKey: .active)
        try ejections.encode(ejectionsEnforcedTotal, forKey: .enforcedTotal)
        try ejections.encode(ejectionsOverflow, forKey: .overflow)
    }
}

/// Istio's `istio_requests_total`, summed by reporter, destination service, response code and flags.
struct IstioRequestCount: Encodable {
    var reporter: String
    var destination: String
    var responseCode: String
    var responseFlags: String
    var requests: Double
}
