/// Envoy response flags (`%RESPONSE_FLAGS%`), a set per request.
public struct ResponseFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No healthy upstream (503).
    public static let noHealthyUpstream = ResponseFlags(rawValue: 1 << 0)
    /// Upstream connection failure (503).
    public static let upstreamConnectionFailure = ResponseFlags(rawValue: 1 << 1)
    /// Upstream overflow: a circuit breaker tripped (503).
    public static let upstreamOverflow = ResponseFlags(rawValue: 1 << 2)
    /// No route (404).
    public static let noRoute = ResponseFlags(rawValue: 1 << 3)
    /// Upstream retry limit exceeded.
    public static let upstreamRetryLimitExceeded = ResponseFlags(rawValue: 1 << 4)
    /// Upstream request timeout (504).
    public static let upstreamRequestTimeout = ResponseFlags(rawValue: 1 << 5)
    /// Upstream connection termination (503).
    public static let upstreamConnectionTermination = ResponseFlags(rawValue: 1 << 6)
    /// Upstream remote reset (503).
    public static let upstreamRemoteReset = ResponseFlags(rawValue: 1 << 7)
    /// Local reset.
    public static let localReset = ResponseFlags(rawValue: 1 << 8)
    /// Downstream connection termination.
    public static let downstreamConnectionTermination = ResponseFlags(rawValue: 1 << 9)
    /// Delay injected by the fault filter.
    public static let delayInjected = ResponseFlags(rawValue: 1 << 10)
    /// Abort injected by the fault filter.
    public static let faultInjected = ResponseFlags(rawValue: 1 << 11)
    /// Rate limited locally (429).
    public static let rateLimited = ResponseFlags(rawValue: 1 << 12)
    /// Local health check failed.
    public static let localHealthCheckFailed = ResponseFlags(rawValue: 1 << 13)
    /// Stream idle timeout (408).
    public static let streamIdleTimeout = ResponseFlags(rawValue: 1 << 14)
    /// Downstream protocol error.
    public static let downstreamProtocolError = ResponseFlags(rawValue: 1 << 15)
    /// Upstream protocol error.
    public static let upstreamProtocolError = ResponseFlags(rawValue: 1 << 16)
    /// Upstream max stream duration reached.
    public static let upstreamMaxStreamDurationReached = ResponseFlags(rawValue: 1 << 17)
    /// Unauthorized by an external authorization service.
    public static let unauthorizedExternalService = ResponseFlags(rawValue: 1 << 18)
    /// Rate limit service error.
    public static let rateLimitServiceError = ResponseFlags(rawValue: 1 << 19)

    /// Every flag with its short name, in the order Quake prints them.
    public static let named: [(flag: ResponseFlags, name: String)] = [
        (.localHealthCheckFailed, "LH"), (.noHealthyUpstream, "UH"), (.upstreamRequestTimeout, "UT"), (.localReset, "LR"),
        (.upstreamRemoteReset, "UR"), (.upstreamRetryLimitExceeded, "URX"), (.upstreamConnectionFailure, "UF"),
        (.upstreamConnectionTermination, "UC"), (.upstreamOverflow, "UO"), (.noRoute, "NR"), (.delayInjected, "DI"),
        (.faultInjected, "FI"), (.rateLimited, "RL"), (.unauthorizedExternalService, "UAEX"), (.rateLimitServiceError, "RLSE"),
        (.downstreamConnectionTermination, "DC"), (.streamIdleTimeout, "SI"), (.downstreamProtocolError, "DPE"),
        (.upstreamMaxStreamDurationReached, "UMSDR"), (.upstreamProtocolError, "UPE"),
    ]

    /// How many distinct flags there are (the width of per-flag counters).
    public static let count = named.count

    /// The position of a single flag in `named`, for counter arrays.
    public static func index(of flag: ResponseFlags) -> Int? { named.firstIndex { $0.flag == flag } }

    /// Parses Envoy's `-` or a comma-joined list like `URX,UF`; nil if a name is unknown.
    public init?(parsing text: Substring) {
        self = []
        guard text != "-" else { return }
        for part in text.split(separator: ",") {
            guard let entry = Self.named.first(where: { $0.name == part }) else { return nil }
            insert(entry.flag)
        }
    }

    /// `-` for none, else the short names comma-joined, as Envoy writes them.
    public var description: String {
        if isEmpty { return "-" }
        return Self.named.filter { contains($0.flag) }.map(\.name).joined(separator: ",")
    }
}
