import QuakeCore

/// Which outcomes a retry policy retries (Envoy's `retry_on`, SEMANTICS.md §4.3).
struct RetryConditions {
    var fiveXX = false
    var gatewayError = false
    var connectFailure = false
    var reset = false
    var retriable4xx = false
    var rateLimited = false
    var statusCodes: [Int] = []

    init(_ retryOn: [String]) {
        for item in retryOn {
            switch item {
            case "5xx": fiveXX = true
            case "gateway-error": gatewayError = true
            case "connect-failure": connectFailure = true
            case "reset": reset = true
            case "retriable-4xx": retriable4xx = true
            case "envoy-ratelimited": rateLimited = true
            default: if let code = Int(item) { statusCodes.append(code) }
            }
        }
    }

    /// Whether an upstream answer with `status` is retried (`RouteSettings.retries(status:)` answers
    /// the same from plain values).
    func retries(status: Int) -> Bool {
        if statusCodes.contains(status) { return true }
        if status >= 500 && fiveXX { return true }
        if (502...504).contains(status) && gatewayError { return true }
        return status == 409 && retriable4xx
    }

    /// Whether a failed connection is retried.
    var retriesConnectFailure: Bool { fiveXX || gatewayError || connectFailure || reset }

    /// Whether a per-try timeout is retried.
    var retriesPerTryTimeout: Bool { fiveXX || gatewayError || reset }
}

/// What a request reads from its route, as plain values (no reference counting on the hot path):
/// kept up to date by `RouteState` whenever the route changes.
struct RouteSettings {
    /// Whether the route carries a fault (its retries and timeout are then off).
    var isFaulted = false
    /// Retries after the first try (0 while faulted).
    var attempts = 0
    /// The route timeout in µs; nil is none (or faulted).
    var timeout: Int64?
    /// The per-try timeout in µs; nil means the route timeout (or faulted).
    var perTryTimeout: Int64?
    /// Whether the route sends requests to clusters by share.
    var hasClusterShares = false
    /// `retryOn` classes, as `RetryConditions` answers them.
    var retries5xx = false
    var retriesGatewayError = false
    var retries409 = false
    var retriesConnectFailure = false
    var retriesPerTryTimeout = false
    var retriesRateLimited = false
    /// Whether `retryOn` lists status codes (looked up in `RetryConditions` then).
    var hasStatusCodes = false
}

/// The route Envoy applies to one service's requests at a moment: the VirtualService's first
/// unmatched route, Istio's defaults, the plan's injected faults and any traffic shift.
struct RouteState {
    /// The route timeout in µs; nil is none.
    let timeout: Int64?
    /// Retries after the first try.
    let attempts: Int
    /// The per-try timeout in µs; nil means the route timeout.
    let perTryTimeout: Int64?
    let conditions: RetryConditions
    /// The VirtualService's own fault block.
    let manifestFault: HTTPFaultInjection?
    /// Faults injected by the plan's schedule (an http-abort or http-delay patches the route's fault).
    var injectedAbort: (status: Int, fraction: Double)? { didSet { refresh() } }
    var injectedDelay: (duration: Int64, fraction: Double)? { didSet { refresh() } }
    /// The abort and delay in force (the plan's injected ones, else the VirtualService's), and
    /// whether the route carries a fault: kept up to date because every request reads them.
    private(set) var abort: (status: Int, fraction: Double)?
    private(set) var delay: (duration: Int64, fraction: Double)?
    /// What every request reads, kept up to date.
    private(set) var settings = RouteSettings()
    /// Per-cluster shares (0–1) of the route's requests: from the VirtualService's weights over
    /// per-cluster subsets, then changed by procedures' traffic shifts. Empty: no preference.
    private(set) var clusterShares: [(cluster: Int, share: Double)] = [] { didSet { refresh() } }
    /// The shares the VirtualService itself gives, which `restore-traffic` puts back.
    let manifestShares: [(cluster: Int, share: Double)]

    init(service: String, plan: Plan, clusterIndex: (String) -> Int?) {
        let route = plan.virtualService(for: service)?.routes.first { !$0.hasMatch }
        let policy = route?.retries ?? RetryPolicy.istioDefault(istioVersion: plan.controlPlane.istio)
        timeout = route?.timeout?.microseconds
        attempts = policy.attempts
        perTryTimeout = policy.perTryTimeout?.microseconds
        conditions = RetryConditions(policy.retryOn)
        manifestFault = route?.fault
        let rule = plan.destinationRule(for: service)
        var shares: [(cluster: Int, share: Double)] = []
        for destination in route?.destinations ?? [] {
            guard let subset = destination.subset, let cluster = rule?.cluster(ofSubset: subset), let c = clusterIndex(cluster) else { continue }
            shares.append((c, Double(destination.weight) / 100))
        }
        manifestShares = shares
        clusterShares = shares
        refresh()
    }

    /// Sets one cluster's share (a procedure's shift).
    mutating func shift(cluster c: Int, share: Double) {
        clusterShares.removeAll { $0.cluster == c }
        clusterShares.append((c, share))
    }

    /// Puts one cluster's share back as the VirtualService has it.
    mutating func restore(cluster c: Int) {
        clusterShares.removeAll { $0.cluster == c }
        if let original = manifestShares.first(where: { $0.cluster == c }) { clusterShares.append(original) }
    }

    /// Istio drops a route's retries and timeout while it carries a fault.
    private mutating func refresh() {
        abort = injectedAbort ?? manifestFault?.abort.map { ($0.status, $0.percentage.fraction) }
        delay = injectedDelay ?? manifestFault?.delay.map { ($0.duration.microseconds, $0.percentage.fraction) }
        let faulted = abort != nil || delay != nil
        settings = RouteSettings(
            isFaulted: faulted,
            attempts: faulted ? 0 : attempts,
            timeout: faulted ? nil : timeout,
            perTryTimeout: faulted ? nil : perTryTimeout,
            hasClusterShares: !clusterShares.isEmpty,
            retries5xx: conditions.fiveXX,
            retriesGatewayError: conditions.gatewayError,
            retries409: conditions.retriable4xx,
            retriesConnectFailure: conditions.retriesConnectFailure,
            retriesPerTryTimeout: conditions.retriesPerTryTimeout,
            retriesRateLimited: conditions.rateLimited || conditions.statusCodes.contains(429),
            hasStatusCodes: !conditions.statusCodes.isEmpty
        )
    }
}
