import QuakeCore

/// What a request to one service reads about the service, as plain values built once from the plan
/// (the hot path then touches no reference-counted field).
struct ServiceTraffic {
    /// The intrinsic error fraction (0–1).
    var errorFraction: Double
    var loadBalancer: LoadBalancer
    /// Requests in flight at which the circuit breaker answers 503 UO: the lower of
    /// `http2MaxRequests` and `maxConnections` + `http1MaxPendingRequests`.
    var overflowAt: Int
    /// Retries in flight at which no more are made (`maxRetries`).
    var maxRetries: Int
    /// The TCP connect timeout, µs.
    var connectTimeout: Int64
    /// Whether the service's sidecars apply a local rate limit.
    var hasRateLimit: Bool
    /// Its downstream calls, a run of service indices in `Simulation.callTargets`.
    var callsStart: Int
    var callsCount: Int

    init(_ service: ServiceSpec, pool: ConnectionPool, loadBalancer: LoadBalancer, callsStart: Int, callsCount: Int) {
        errorFraction = service.errorRate.fraction
        self.loadBalancer = loadBalancer
        overflowAt = min(pool.maxRequests, pool.maxConnections + pool.maxPendingRequests)
        maxRetries = pool.maxRetries
        connectTimeout = pool.connectTimeout.microseconds
        hasRateLimit = service.rateLimit != nil
        self.callsStart = callsStart
        self.callsCount = callsCount
    }
}
