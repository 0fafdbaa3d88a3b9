/// How a load decides when to send: on a schedule whatever the server does (open loop), or as soon
/// as the previous response on a connection arrived (closed loop).
public enum LoadMode: Sendable, Hashable {
    /// Requests leave at scheduled instants, `rate` per second in all, and latency is measured
    /// from each request's scheduled instant, so a slow server cannot slow the load down and hide
    /// its own slowness (no coordinated omission).
    ///
    /// - Parameters:
    ///   - rate: requests per second, over every worker.
    ///   - arrival: how the instants are spaced.
    ///   - maxInFlight: the most requests waiting for an answer at once; a request due while the
    ///     cap is reached waits (in Quake, not in libcurl) and is counted late, or is given up and
    ///     counted unsent once it has waited longer than the request's timeout. Each request in
    ///     flight holds a connection, and libcurl looks through every connection it holds for each
    ///     transfer (about 35 ns apiece), so the cap also keeps each request cheap however slow the
    ///     server gets; at 20,000/s the default leaves room for 12 ms of server latency.
    ///   - connections: the most connections open at once; each request in flight holds one
    ///     (HTTP/1.1), so this also caps the requests in flight. `nil`: as many as `maxInFlight`.
    case openLoop(rate: Double, arrival: LoadArrival = .constant, maxInFlight: Int = 256, connections: Int? = nil)
    /// `connections` connections each send their next request as soon as the previous one is
    /// answered: the most the server (and Quake) can do, for benchmarks.
    case closedLoop(connections: Int)
}
