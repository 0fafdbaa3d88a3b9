import Foundation

/// What to send, how fast and for how long: one request repeated by a ``LoadGenerator``.
public struct LoadConfiguration: Sendable {
    /// The request every transfer sends: method, URL, headers, body, timeouts and TLS settings.
    /// The load speaks HTTP/1.1 and follows no redirects, whatever `http2` and `maxRedirects`
    /// say, and ignores `maxBodyBytes`: response bodies are counted and dropped.
    public var request: HTTPRequest
    /// Open loop at a rate, or closed loop over connections.
    public var mode: LoadMode
    /// How long requests are sent for; requests still in flight then are waited for (up to
    /// their timeout).
    public var duration: Duration
    /// How many threads send, each with its own libcurl multi handle and share of the load.
    public var workers: Int
    /// In open loop, how the rate climbs to its steady value; nil: steady from the start.
    public var ramp: LoadRamp?

    /// The default number of workers: one per core, at most 4 (2 on a 2-core machine).
    public static var defaultWorkers: Int {
        max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// A load of `request` in `mode` for `duration`, over `workers` threads.
    public init(request: HTTPRequest, mode: LoadMode, duration: Duration, workers: Int = LoadConfiguration.defaultWorkers, ramp: LoadRamp? = nil) {
        self.request = request
        self.mode = mode
        self.duration = duration
        self.workers = workers
        self.ramp = ramp
    }

    /// The rate asked for (the steady one, after any ramp), or nil in closed loop.
    public var targetRate: Double? {
        if case .openLoop(let rate, _, _, _) = mode { return rate }
        return nil
    }

    /// How many requests the schedule calls for in the first `time` (open loop; nil in closed loop).
    public func scheduledRequests(in time: Duration) -> Double? {
        targetRate.map { LoadRateCurve(rate: $0, ramp: ramp).count(at: time / .seconds(1)) }
    }
}
