/// Open-loop load from one client locality to one service.
public struct LoadSpec: Sendable, Equatable {
    /// Where the clients are; their sidecar's locality decides Istio's priorities.
    public var from: Locality
    /// The service the clients call.
    public var to: String
    /// The steady request rate.
    public var rate: Rate
    /// How request instants are spaced.
    public var arrival: Arrival
    /// A linear ramp from this rate up to `rate` over `rampDuration`; nil for none.
    public var rampFrom: Rate?
    /// How long the ramp lasts.
    public var rampDuration: TimeSpan
    /// The request path.
    public var path: String

    /// A load from its parts.
    public init(from: Locality, to: String, rate: Rate, arrival: Arrival = .constant, rampFrom: Rate? = nil, rampDuration: TimeSpan = .zero, path: String = "/") {
        self.from = from
        self.to = to
        self.rate = rate
        self.arrival = arrival
        self.rampFrom = rampFrom
        self.rampDuration = rampDuration
        self.path = path
    }

    /// The target rate at time `t` since the start, ramp included.
    public func rate(at t: TimeSpan) -> Rate {
        guard let start = rampFrom, rampDuration > .zero, t < rampDuration else { return rate }
        let f = t.seconds / rampDuration.seconds
        return Rate(perSecond: start.perSecond + (rate.perSecond - start.perSecond) * f)
    }
}

/// How request instants are spaced.
public enum Arrival: String, Sendable, CaseIterable {
    /// Evenly spaced.
    case constant
    /// A Poisson process: exponential gaps.
    case poisson
}

/// An HTTP check run every `interval` (SLI `probeSuccess(name)`).
public struct ProbeSpec: Sendable, Equatable {
    /// The probe's name.
    public var name: String
    /// What is probed: a service of the plan (through the mesh) or a URL (lab and kubernetes targets).
    public var target: ProbeTarget
    /// The request path for a service probe.
    public var path: String
    /// Time between checks.
    public var interval: TimeSpan
    /// Time a check may take.
    public var timeout: TimeSpan
    /// The status a passing check answers.
    public var expectStatus: Int
    /// Text the body of a passing check contains.
    public var expectBodyContains: String?
    /// A JSON field (dotted path) and the value it must have.
    public var expectJSON: (path: String, equals: String)?

    /// A probe from its parts.
    public init(name: String, target: ProbeTarget, path: String = "/healthz", interval: TimeSpan = .seconds(10), timeout: TimeSpan = .seconds(1), expectStatus: Int = 200, expectBodyContains: String? = nil, expectJSON: (path: String, equals: String)? = nil) {
        self.name = name
        self.target = target
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.expectStatus = expectStatus
        self.expectBodyContains = expectBodyContains
        self.expectJSON = expectJSON
    }

    public static func == (a: ProbeSpec, b: ProbeSpec) -> Bool {
        a.name == b.name && a.target == b.target && a.path == b.path && a.interval == b.interval && a.timeout == b.timeout
            && a.expectStatus == b.expectStatus && a.expectBodyContains == b.expectBodyContains
            && a.expectJSON?.path == b.expectJSON?.path && a.expectJSON?.equals == b.expectJSON?.equals
    }
}

/// What a probe checks.
public enum ProbeTarget: Sendable, Equatable {
    /// A service of the plan, called from a client locality.
    case service(String, from: Locality)
    /// An absolute URL.
    case url(String)
}
