import QuakeHTTP

/// What the Envoys counted of failed connections and timeouts to each service: evidence that a
/// node, zone or cluster fault acted even when retries hid it from every request (no failed request,
/// no flag in the access log), which a crash shorter than the grace period leaves as the only trace.
extension EnvoyAdmin {
    /// The counters read: connections refused or failed, attempts that ran out their per-try
    /// timeout, requests that ran out the route timeout.
    static let upstreamFailureCounters = ["upstream_cx_connect_fail", "upstream_rq_per_try_timeout", "upstream_rq_timeout"]

    /// `GET` here reads those counters of every outbound cluster.
    static func upstreamFailureStatsURL(_ envoy: LabLayout.Envoy) -> String {
        envoy.adminURL + "/stats?filter=%5Ecluster%5C.outbound%5C%7C.*%5C.%28" + upstreamFailureCounters.joined(separator: "%7C") + "%29%24"
    }

    /// Failed connections and timeouts per service, summed over `envoys` and over the service's
    /// upstream clusters (its subsets too).
    ///
    /// - Throws: ``LabError`` `api` when an Envoy does not answer.
    func upstreamFailures(of envoys: [LabLayout.Envoy]) async throws -> [String: Int] {
        var total: [String: Int] = [:]
        for envoy in envoys {
            let response = try await client.send(HTTPRequest(url: Self.upstreamFailureStatsURL(envoy), timeout: .seconds(5)))
            guard response.status == 200 else {
                throw LabError(code: .api, message: "GET /stats answered \(response.status)", location: envoy.name)
            }
            total.merge(Self.upstreamFailures(inStats: String(decoding: response.body, as: UTF8.self)), uniquingKeysWith: +)
        }
        return total
    }

    /// The services' counts in a `GET /stats` text: `cluster.outbound|8080|subset|svc.ns.svc.cluster.local.upstream_cx_connect_fail: 3`
    /// counts 3 for `svc`; other lines are skipped.
    static func upstreamFailures(inStats text: String) -> [String: Int] {
        var services: [String: Int] = [:]
        for (name, value) in counters(text) where name.hasPrefix("cluster.outbound|") {
            guard upstreamFailureCounters.contains(where: { name.hasSuffix("." + $0) }),
                  let host = name.split(separator: "|", omittingEmptySubsequences: false).dropFirst(3).first,
                  let service = host.split(separator: ".").first
            else { continue }
            services[String(service), default: 0] += value
        }
        return services
    }
}
