import Foundation
import QuakeCore

/// What one call through an Envoy ended with.
struct CallResult {
    var status: Int
    var flags: ResponseFlags
    /// Time from the call to its answer, µs.
    var duration: Int64
    /// The pod that answered last, or -1.
    var pod: Int
}

/// How one upstream attempt went.
private struct Attempt {
    enum Kind { case answered, connectFailure, perTryTimeout, routeTimeout, rateLimited }
    var kind: Kind
    var status: Int
    var duration: Int64
}

/// Requests, simulated when they arrive: the fault filter, the router's retries and timeouts,
/// host choice by priority and load balancer, the pod's service time and its downstream calls.
extension Simulation {
    /// One request to `service` from an Envoy in `zone` at time `t`, recorded in the timeline.
    @discardableResult
    mutating func call(service s: Int, fromZone z: Int, at t: Int64, load: Int = -1) -> CallResult {
        let result = route(service: s, fromZone: z, at: t)
        requestCount += 1
        record(result, service: s, zone: z, at: t)
        if writesAccessLog, let accessLog {
            let host = result.pod >= 0 ? pods[result.pod] : nil
            accessLog.write(AccessLogLine(start: t, method: "GET", path: load >= 0 ? loadPaths[load] : "/", status: result.status, flags: result.flags, duration: result.duration, upstreamHost: host.map { "\($0.name):\(services[s].port)" }, upstreamCluster: "outbound|\(services[s].port)||\(services[s].name).\(services[s].namespace).svc.cluster.local", authority: services[s].name, requestID: requestCount))
        }
        return result
    }

    @inline(__always)
    private mutating func record(_ result: CallResult, service s: Int, zone z: Int, at t: Int64) {
        let window = min(windowCount - 1, Int((t + result.duration) / windowLength))
        let destination = result.pod >= 0 ? pods[result.pod].cluster : -1
        let latencyKey = s * zones.count + z
        let key = latencyKey * (clusters.count + 1) + destination + 1
        var series = Int(seriesCache[key])
        if series < 0 {
            series = recorder.addTrafficSeries(TrafficKey(service: services[s].name, client: zones[z].locality, destinationCluster: destination >= 0 ? clusters[destination].name : nil))
            seriesCache[key] = Int32(series)
        }
        var latency = Int(latencyCache[latencyKey])
        if latency < 0 {
            latency = recorder.addLatencySeries(LatencyKey(service: services[s].name, client: zones[z].locality))
            latencyCache[latencyKey] = Int32(latency)
        }
        recorder.record(series: series, window: window, status: result.status, flags: result.flags, latencySeries: latency, latency: result.duration)
    }

    private mutating func route(service s: Int, fromZone z: Int, at t: Int64) -> CallResult {
        var elapsed: Int64 = 0
        var flags: ResponseFlags = []
        let route = routes[s].settings
        if route.isFaulted {
            if let delay = routes[s].delay, rng.chance(delay.fraction) {
                elapsed += delay.duration
                flags.insert(.delayInjected)
            }
            if let abort = routes[s].abort, rng.chance(abort.fraction) {
                flags.insert(.faultInjected)
                return CallResult(status: abort.status, flags: flags, duration: elapsed, pod: -1)
            }
        }
        let service = serviceTraffic[s]
        let attempts = route.attempts
        let timeout = route.timeout
        let perTry = route.perTryTimeout
        let e = envoyIndex(zone: z, service: s)
        let allowed = route.hasClusterShares ? clusterMask(shares: routes[s].clusterShares) : nil
        // Hosts already tried (`previous_hosts`), kept only once a retry happens.
        var tried: [Int]?
        var retry = 0
        var last = CallResult(status: 503, flags: flags, duration: elapsed, pod: -1)
        while true {
            let start = if let tried {
                envoys[e].start(lb: service.loadBalancer, rng: &rng, excluded: tried, rePicks: timings.hostSelectionRetryMaxAttempts, clusters: allowed, overflowAt: service.overflowAt, isRetry: true)
            } else {
                envoys[e].start(lb: service.loadBalancer, rng: &rng, excluded: [], rePicks: 0, clusters: allowed, overflowAt: service.overflowAt, isRetry: false)
            }
            let host: Int, pod: Int, generation: Int32
            switch start {
            case let .started(h, p, g):
                (host, pod, generation) = (h, p, g)
            case .noHost:
                if retry == 0 { last.flags.insert(.noHealthyUpstream) }
                return retry == 0 ? last : withRetriesExhausted(last)
            case .overflow:
                return CallResult(status: 503, flags: flags.union(.upstreamOverflow), duration: elapsed, pod: -1)
            }
            let remaining = timeout.map { $0 - elapsed }
            let attempt = self.attempt(pod: pod, fromZone: z, at: t + elapsed, perTry: perTry, remaining: remaining)
            let local = attempt.kind == .connectFailure || attempt.kind == .perTryTimeout || attempt.kind == .routeTimeout
            // The host counts the request in flight (LEAST_REQUEST compares these) from the moment it
            // goes out (after the back-off, or later for a downstream call); a refused connection
            // never puts a request on the host.
            let sent = attempt.kind != .connectFailure && attempt.duration > 0
            if sent {
                if t + elapsed <= now {
                    envoys[e].requestSent(pod: pod, host: host, generation: generation)
                } else {
                    completions.push(t + elapsed, Completion(kind: .sent, envoy: Int32(e), pod: Int32(pod), host: Int32(host), generation: generation, status: 0, localOriginFailure: false, isRetry: retry > 0))
                }
            }
            completions.push(t + elapsed + attempt.duration, Completion(kind: sent ? .ended : .endedUnsent, envoy: Int32(e), pod: Int32(pod), host: Int32(host), generation: generation, status: Int16(attempt.status), localOriginFailure: local, isRetry: retry > 0))
            elapsed += attempt.duration
            var attemptFlags = flags
            switch attempt.kind {
            case .answered: break
            case .connectFailure: attemptFlags.insert(.upstreamConnectionFailure)
            case .perTryTimeout, .routeTimeout: attemptFlags.insert(.upstreamRequestTimeout)
            case .rateLimited: attemptFlags.insert(.rateLimited)
            }
            last = CallResult(status: attempt.status, flags: attemptFlags, duration: elapsed, pod: pod)
            if attempt.kind == .routeTimeout { return last }
            let retriable: Bool
            switch attempt.kind {
            case .answered: retriable = attempt.status >= 400 && retries(status: attempt.status, route: route, service: s)
            case .connectFailure: retriable = route.retriesConnectFailure
            case .perTryTimeout: retriable = route.retriesPerTryTimeout
            case .routeTimeout: retriable = false
            case .rateLimited: retriable = route.retriesRateLimited
            }
            guard retriable else { return last }
            guard retry < attempts else { return attempts > 0 ? withRetriesExhausted(last) : last }
            // Istio sets no retry budget unless asked; the max_retries circuit breaker caps retries in flight.
            guard envoys[e].activeRetries < service.maxRetries else { return withRetriesExhausted(last) }
            retry += 1
            let cap = min(timings.retryBackoffMax.microseconds, ((Int64(1) << Int64(min(retry, 20))) - 1) * timings.retryBackoffBase.microseconds)
            elapsed += Int64(rng.unit() * Double(cap))
            if let timeout, elapsed >= timeout {
                return CallResult(status: 504, flags: flags.union(.upstreamRequestTimeout), duration: timeout, pod: pod)
            }
            tried = (tried ?? []) + [host]
        }
    }

    /// Whether the route retries an upstream answer with `status` (as `RetryConditions.retries(status:)`).
    @inline(__always)
    private func retries(status: Int, route: RouteSettings, service s: Int) -> Bool {
        if route.hasStatusCodes && routes[s].conditions.statusCodes.contains(status) { return true }
        if status >= 500 && route.retries5xx { return true }
        if (502...504).contains(status) && route.retriesGatewayError { return true }
        return status == 409 && route.retries409
    }

    private mutating func withRetriesExhausted(_ result: CallResult) -> CallResult {
        var r = result
        r.flags.insert(.upstreamRetryLimitExceeded)
        return r
    }

    /// Per-cluster shares (VirtualService weights over per-cluster subsets, procedure shifts):
    /// the clusters this request may go to, as a bit set (bit c for cluster c).
    private mutating func clusterMask(shares: [(cluster: Int, share: Double)]) -> UInt64? {
        guard clusters.count <= 64 else { return nil }
        // Listed clusters take their shares; clusters not listed share what is left, if anything.
        let listed = shares.reduce(0) { $0 + $1.share }
        let rest = shares.count < clusters.count ? max(0, 1 - listed) : 0
        guard listed + rest > 0 else { return nil }
        let roll = rng.unit() * (listed + rest)
        var sum = 0.0
        for share in shares where share.share > 0 {
            sum += share.share
            if roll < sum { return 1 << UInt64(share.cluster) }
        }
        if rest == 0, let last = shares.last(where: { $0.share > 0 }) { return 1 << UInt64(last.cluster) }
        let everything: UInt64 = clusters.count == 64 ? ~0 : (1 << UInt64(clusters.count)) - 1
        return shares.reduce(everything) { $0 & ~(1 << UInt64($1.cluster)) }
    }

    /// One attempt on one pod: refused, hung, or answered after its service time and downstream calls.
    private mutating func attempt(pod p: Int, fromZone z: Int, at t: Int64, perTry: Int64?, remaining: Int64?) -> Attempt {
        let node = pods[p].node, podZone = pods[p].zone, s = pods[p].service
        let rtt = roundTrip[z * zones.count + podZone]
        let limit: Int64? = perTry.map { p in remaining.map { min(p, $0) } ?? p } ?? remaining
        let health = nodes[node].health
        let service = serviceTraffic[s]
        if health == .hung || (!partitions.isEmpty && isPartitioned(z, podZone)) {
            guard let limit else {
                return Attempt(kind: .connectFailure, status: 503, duration: service.connectTimeout)
            }
            return timeout(limit: limit, perTry: perTry, remaining: remaining)
        }
        if health == .crashed || pods[p].phase != .running || pods[p].restartingUntil > t {
            return Attempt(kind: .connectFailure, status: 503, duration: rtt)
        }
        if service.hasRateLimit, let limit = services[s].rateLimit, !takeToken(pod: p, at: t + rtt / 2, limit: limit) {
            return Attempt(kind: .rateLimited, status: 429, duration: rtt)
        }
        var duration = rtt + serviceTimes.sample(s, &rng)
        var status = rng.chance(service.errorFraction) ? 500 : 200
        if status == 200 {
            for c in service.callsStart..<(service.callsStart + service.callsCount) {
                let result = call(service: callTargets[c], fromZone: podZone, at: t + rtt / 2 + duration - rtt)
                duration += result.duration
                if !TrafficSeries.isSuccess(result.status) {
                    status = 500
                    break
                }
            }
        }
        if let limit, duration > limit { return timeout(limit: limit, perTry: perTry, remaining: remaining) }
        return Attempt(kind: .answered, status: status, duration: duration)
    }

    /// Envoy's local rate limit on the pod's sidecar: refill the bucket for the intervals passed, take a token.
    private mutating func takeToken(pod p: Int, at t: Int64, limit: LocalRateLimit) -> Bool {
        let interval = limit.fillInterval.microseconds
        let fills = (t - pods[p].lastFill) / interval
        if fills > 0 {
            pods[p].tokens = Int(min(Int64(limit.maxTokens), Int64(pods[p].tokens) + fills * Int64(limit.tokensPerFill)))
            pods[p].lastFill += fills * interval
        }
        guard pods[p].tokens > 0 else { return false }
        pods[p].tokens -= 1
        return true
    }

    private func timeout(limit: Int64, perTry: Int64?, remaining: Int64?) -> Attempt {
        let isPerTry = perTry.map { p in remaining.map { p < $0 } ?? true } ?? false
        return Attempt(kind: isPerTry ? .perTryTimeout : .routeTimeout, status: 504, duration: max(0, limit))
    }

    private func isPartitioned(_ a: Int, _ b: Int) -> Bool {
        for (left, right) in partitions where (left.contains(a) && right.contains(b)) || (left.contains(b) && right.contains(a)) { return true }
        return false
    }
}
