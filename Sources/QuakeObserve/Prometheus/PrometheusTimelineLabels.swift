import QuakeCore

/// How Istio's standard metrics (`istio_requests_total`, `istio_request_duration_milliseconds`)
/// spell a request's service, clusters, status and response flags in their labels.
enum PrometheusTimelineLabels {
    /// The called service: `destination_service_name`, else the first part of the
    /// `destination_service` host (`svc2.default.svc.cluster.local` → `svc2`; a host outside the
    /// cluster stays whole), else `unknown`, Istio's own word for it.
    static func service(_ metric: [String: String]) -> String {
        if let name = known(metric["destination_service_name"]) { return name }
        guard let full = known(metric["destination_service"]) else { return "unknown" }
        var host = Substring(full)
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), host[host.index(after: colon)...].allSatisfy(\Character.isNumber) {
            host = host[..<colon]
        }
        if host.hasSuffix(".svc") || host.contains(".svc."), let first = host.split(separator: ".").first { return String(first) }
        return String(host)
    }

    /// A label's value, nil when it is missing, empty or Istio's `unknown`.
    static func known(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value != "unknown" else { return nil }
        return value
    }

    /// The status of `response_code`; 0 (no response) when it is missing or not a number.
    static func status(_ metric: [String: String]) -> Int {
        metric["response_code"].flatMap { Int($0) } ?? 0
    }

    /// The flags of `response_flags` (`-` or missing for none, or a comma-joined list such as
    /// `URX,UF`), and whether a name in it is one Quake does not know (it is left out).
    static func flags(_ metric: [String: String]) -> (flags: ResponseFlags, unknown: Bool) {
        guard let text = metric["response_flags"] else { return ([], false) }
        var flags: ResponseFlags = []
        var unknown = false
        for part in text.split(separator: ",") {
            if let flag = ResponseFlags(parsing: part) { flags.formUnion(flag) } else { unknown = true }
        }
        return (flags, unknown)
    }
}
