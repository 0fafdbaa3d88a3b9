import Foundation

/// A service of the plan: a Deployment (or StatefulSet) behind one Kubernetes Service.
public struct ServiceSpec: Sendable {
    /// The service's name; Istio hosts and Karmada resource selectors refer to it.
    public var name: String
    /// The namespace the service lives in.
    public var namespace: String
    /// `Deployment` (replaced at once after eviction) or `StatefulSet` (waits for a force delete).
    public var workloadKind: WorkloadKind
    /// The desired replica count (Karmada's `spec.replicas` of the resource template).
    public var replicas: Int
    /// How long one request takes inside a pod, not counting downstream calls.
    public var serviceTime: ServiceTime
    /// The fraction of requests the application itself answers with a 5xx.
    public var errorRate: Percentage
    /// Services called, in order, for every request (svc1 → svc2 → svc3).
    public var calls: [String]
    /// The port the service listens on.
    public var port: Int
    /// Pod labels (matched by Karmada `labelSelector`s); `app: <name>` unless the plan says otherwise.
    public var labels: [String: String]
    /// Time from a pod's creation until it passes readiness and takes traffic.
    public var startupTime: TimeSpan
    /// Envoy's local rate limit on each pod's inbound sidecar (one token bucket per pod); nil for none.
    public var rateLimit: LocalRateLimit?

    /// A service from its parts.
    public init(
        name: String, namespace: String = "default", workloadKind: WorkloadKind = .deployment, replicas: Int,
        serviceTime: ServiceTime, errorRate: Percentage = Percentage(0), calls: [String] = [], port: Int = 8080,
        labels: [String: String]? = nil, startupTime: TimeSpan = .seconds(30), rateLimit: LocalRateLimit? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.workloadKind = workloadKind
        self.replicas = replicas
        self.serviceTime = serviceTime
        self.errorRate = errorRate
        self.calls = calls
        self.port = port
        self.labels = labels ?? ["app": name]
        self.startupTime = startupTime
        self.rateLimit = rateLimit
    }
}

/// Envoy's local rate limit token bucket (SEMANTICS.md §4.5): over-limit requests get 429 `RL`.
public struct LocalRateLimit: Sendable, Equatable, CustomStringConvertible {
    /// The bucket's size (and its content at start).
    public var maxTokens: Int
    /// Tokens added every fill interval.
    public var tokensPerFill: Int
    /// How often tokens are added (at least 50 ms).
    public var fillInterval: TimeSpan

    /// A bucket from its parts.
    public init(maxTokens: Int, tokensPerFill: Int, fillInterval: TimeSpan) {
        self.maxTokens = maxTokens
        self.tokensPerFill = tokensPerFill
        self.fillInterval = fillInterval
    }

    public var description: String { "\(maxTokens) tokens, \(tokensPerFill) per \(fillInterval)" }
}

/// The Kubernetes workload kind behind a service.
public enum WorkloadKind: String, Sendable, CaseIterable {
    /// Replaced as soon as its pods are deleted.
    case deployment = "Deployment"
    /// Waits for a force delete or the `out-of-service` taint before replacing a pod.
    case statefulSet = "StatefulSet"
}

/// The distribution of a pod's service time.
public enum ServiceTime: Sendable, Equatable, CustomStringConvertible {
    /// Log-normal, fitted so that its median is `p50` and its 99th percentile is `p99`.
    case logNormal(p50: TimeSpan, p99: TimeSpan)
    /// Always the same.
    case fixed(TimeSpan)

    /// The log-normal parameters (μ, σ) of the natural logarithm of seconds; σ is 0 for a fixed time.
    public var logNormalParameters: (mu: Double, sigma: Double) {
        switch self {
        case let .fixed(t): return (log(max(t.seconds, 1e-9)), 0)
        case let .logNormal(p50, p99):
            let mu = log(max(p50.seconds, 1e-9))
            // z(0.99) of the standard normal distribution.
            let sigma = (log(max(p99.seconds, 1e-9)) - mu) / 2.326_347_874
            return (mu, max(0, sigma))
        }
    }

    public var description: String {
        switch self {
        case let .logNormal(p50, p99): return "log-normal p50 \(p50) p99 \(p99)"
        case let .fixed(t): return "fixed \(t)"
        }
    }
}
