import QuakeCore

/// The runtime keys of one service's route in every lab Envoy, set with `POST /runtime_modify`
/// (an empty value deletes a key and puts the bootstrap's value back).
///
/// Each service's route carries its own fault-filter settings with its own keys, so a fault on svc2
/// never touches svc1 (Envoy's global `fault.http.abort.abort_percent` keys do not reach the routes).
/// Percentages are whole numbers from 0 to 100: Envoy reads an integer runtime value as a percentage
/// and ignores fractions.
public struct EnvoyRuntimeKeys: Sendable, Hashable {
    /// The service whose route the keys drive.
    public var service: String

    /// The keys of `service`'s route.
    public init(service: String) { self.service = service }

    /// Share of requests aborted by the fault filter, 0–100 (HTTPFault `abort_percent_runtime`).
    public var abortPercent: String { "quake.fault.\(service).abort_percent" }
    /// Status code of an aborted request (HTTPFault `abort_http_status_runtime`).
    public var abortHTTPStatus: String { "quake.fault.\(service).abort_http_status" }
    /// Share of requests delayed by the fault filter, 0–100 (HTTPFault `delay_percent_runtime`).
    public var delayPercent: String { "quake.fault.\(service).delay_percent" }
    /// The delay in milliseconds (HTTPFault `delay_duration_runtime`).
    public var delayDuration: String { "quake.fault.\(service).delay_ms" }
    /// Whether the route's local rate limit runs, 0–100 % of requests (`filter_enabled`).
    public var rateLimitEnabled: String { "quake.ratelimit.\(service).enabled" }
    /// Whether the route's local rate limit rejects, 0–100 % of requests (`filter_enforced`).
    public var rateLimitEnforced: String { "quake.ratelimit.\(service).enforced" }
    /// The prefix of the route's destination weights (`weighted_clusters.runtime_key_prefix`), used
    /// when the VirtualService splits the route over several destinations.
    public var weightPrefix: String { "quake.route.\(service)" }

    /// The key holding the route's weight for `upstream`: `<weightPrefix>.<upstream name>`.
    public func weight(of upstream: EnvoyUpstream) -> String { weightPrefix + "." + upstream.name }

    /// The key-value pairs that abort `percentage` of the service's requests with `status`.
    public func abort(status: Int, percentage: Percentage) -> [(key: String, value: String)] {
        [(abortHTTPStatus, String(status)), (abortPercent, Self.wholePercent(percentage))]
    }

    /// The key-value pairs that delay `percentage` of the service's requests by `delay` (whole ms).
    public func delay(_ delay: TimeSpan, percentage: Percentage) -> [(key: String, value: String)] {
        [(delayDuration, String(max(0, (delay.microseconds + 500) / 1000))), (delayPercent, Self.wholePercent(percentage))]
    }

    /// The key-value pairs (empty values) that remove every fault key and put the route back as generated.
    public var clearFaults: [(key: String, value: String)] {
        [(abortPercent, ""), (abortHTTPStatus, ""), (delayPercent, ""), (delayDuration, "")]
    }

    /// The query string of `POST /runtime_modify` for `pairs`, percent-encoded (`|` in upstream names included).
    public static func query(_ pairs: [(key: String, value: String)]) -> String {
        pairs.map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
    }

    /// A percentage as Envoy's runtime reads it: the nearest whole number from 0 to 100.
    static func wholePercent(_ p: Percentage) -> String { String(Int(min(100, max(0, p.percent)).rounded())) }

    private static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
