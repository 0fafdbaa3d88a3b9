/// The parts of an Istio `VirtualService` that Quake models (SEMANTICS.md §3.5).
public struct VirtualService: Sendable {
    /// `metadata.name`.
    public var name: String
    /// `metadata.namespace`.
    public var namespace: String
    /// `spec.hosts`, reduced to service names.
    public var hosts: [String]
    /// `spec.http[]` in order; the first whose match applies takes the request.
    public var routes: [HTTPRoute]

    /// A virtual service from its parts.
    public init(name: String, namespace: String = "default", hosts: [String], routes: [HTTPRoute]) {
        self.name = name
        self.namespace = namespace
        self.hosts = hosts
        self.routes = routes
    }
}

/// One `http[]` entry of a VirtualService.
public struct HTTPRoute: Sendable, Equatable {
    /// `name`, if set.
    public var name: String?
    /// Whether the route has a `match` block (Quake's load carries no headers, so matched routes take no plan traffic).
    public var hasMatch: Bool
    /// `route[]`: weighted destinations.
    public var destinations: [RouteDestination]
    /// `timeout` of the whole request, all tries included; nil is none.
    public var timeout: TimeSpan?
    /// `retries`; nil means Istio's default policy.
    public var retries: RetryPolicy?
    /// `fault`, injected before routing.
    public var fault: HTTPFaultInjection?

    /// A route from its parts.
    public init(name: String? = nil, hasMatch: Bool = false, destinations: [RouteDestination], timeout: TimeSpan? = nil, retries: RetryPolicy? = nil, fault: HTTPFaultInjection? = nil) {
        self.name = name
        self.hasMatch = hasMatch
        self.destinations = destinations
        self.timeout = timeout
        self.retries = retries
        self.fault = fault
    }
}

/// `route[]` of an HTTP route.
public struct RouteDestination: Sendable, Equatable {
    /// `destination.host`, reduced to the service name.
    public var host: String
    /// `destination.subset`.
    public var subset: String?
    /// `weight` (omitted on a single destination: 100).
    public var weight: Int

    /// A destination from its parts.
    public init(host: String, subset: String? = nil, weight: Int = 100) {
        self.host = host
        self.subset = subset
        self.weight = weight
    }
}

/// `retries` of an HTTP route.
public struct RetryPolicy: Sendable, Equatable {
    /// `attempts`: retries after the first try (0 turns retries off).
    public var attempts: Int
    /// `perTryTimeout`; nil means the route timeout.
    public var perTryTimeout: TimeSpan?
    /// `retryOn`, split at commas (`5xx`, `gateway-error`, `connect-failure`, status codes …).
    public var retryOn: [String]
    /// `retryRemoteLocalities`.
    public var retryRemoteLocalities: Bool

    /// A policy from its parts.
    public init(attempts: Int, perTryTimeout: TimeSpan? = nil, retryOn: [String] = [], retryRemoteLocalities: Bool = false) {
        self.attempts = attempts
        self.perTryTimeout = perTryTimeout
        self.retryOn = retryOn
        self.retryRemoteLocalities = retryRemoteLocalities
    }

    /// The policy Istio installs when a route sets none (SEMANTICS.md §3.5): 2 retries; 503 retried only up to Istio 1.23.
    public static func istioDefault(istioVersion: Version) -> RetryPolicy {
        var on = ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"]
        if istioVersion < Version(1, 24) { on.append("503") }
        return RetryPolicy(attempts: 2, retryOn: on)
    }
}

/// `fault` of an HTTP route.
public struct HTTPFaultInjection: Sendable, Equatable {
    /// `abort.httpStatus` and `abort.percentage.value`.
    public var abort: (status: Int, percentage: Percentage)?
    /// `delay.fixedDelay` and `delay.percentage.value`.
    public var delay: (duration: TimeSpan, percentage: Percentage)?

    /// A fault from its parts.
    public init(abort: (status: Int, percentage: Percentage)? = nil, delay: (duration: TimeSpan, percentage: Percentage)? = nil) {
        self.abort = abort
        self.delay = delay
    }

    public static func == (a: HTTPFaultInjection, b: HTTPFaultInjection) -> Bool {
        a.abort?.status == b.abort?.status && a.abort?.percentage == b.abort?.percentage
            && a.delay?.duration == b.delay?.duration && a.delay?.percentage == b.delay?.percentage
    }
}
