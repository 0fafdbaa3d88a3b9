import QuakeCore

/// One host's outlier-detection state in one Envoy (SEMANTICS.md §4.1), as a value with event methods.
struct OutlierHost {
    var consecutive5xx = 0
    var consecutiveGateway = 0
    var ejected = false
    var lastEjection: Int64 = 0
    /// Envoy's ejection multiplier `b`.
    var multiplier = 0
    /// Whether a blocked ejection was already reported since the last change (to report it once).
    var blockedReported = false

    /// What a response asks the detector to do.
    enum Verdict { case nothing, tryEject }

    /// Counts a response: a 5xx (or local-origin failure) increments the counters, anything else resets them.
    mutating func record(status: Int, localOriginFailure: Bool, config: OutlierDetection) -> Verdict {
        let is5xx = status >= 500 || localOriginFailure
        guard is5xx else {
            consecutive5xx = 0
            consecutiveGateway = 0
            return .nothing
        }
        consecutive5xx += 1
        if localOriginFailure || (502...504).contains(status) { consecutiveGateway += 1 } else { consecutiveGateway = 0 }
        guard !ejected else { return .nothing }
        if config.consecutive5xxErrors > 0 && consecutive5xx >= config.consecutive5xxErrors { return .tryEject }
        if let gw = config.consecutiveGatewayErrors, gw > 0, consecutiveGateway >= gw { return .tryEject }
        return .nothing
    }

    /// Ejects the host at `now`.
    mutating func eject(now: Int64, config: OutlierDetection) {
        ejected = true
        lastEjection = now
        let base = config.baseEjectionTime.microseconds
        if Int64(multiplier) * base < config.maxEjectionTime.microseconds + base { multiplier += 1 }
        consecutive5xx = 0
        consecutiveGateway = 0
        blockedReported = false
    }

    /// One sweep at `now`: returns true when an ejected host comes back.
    mutating func sweep(now: Int64, config: OutlierDetection) -> Bool {
        guard ejected else {
            multiplier = max(0, multiplier - 1)
            return false
        }
        let length = min(config.baseEjectionTime.microseconds * Int64(multiplier), config.maxEjectionTime.microseconds)
        guard now - lastEjection >= length else { return false }
        ejected = false
        consecutive5xx = 0
        consecutiveGateway = 0
        return true
    }
}
