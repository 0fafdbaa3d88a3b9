import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one request over and over, open loop at a rate or closed loop over connections, from
/// threads of its own (never Swift's cooperative pool), and reports latencies, statuses and
/// failures per second and for the whole run.
///
/// Each worker thread drives its own libcurl multi handle with a pool of easy handles configured
/// once, so a request costs libcurl's work and a few counter increments: two workers send
/// tens of thousands of requests per second on two cores.
public enum LoadGenerator {
    /// Runs the load to its end and returns what it did.
    ///
    /// Cancelling the calling task stops the load at once: requests still due are counted unsent,
    /// transfers in flight are abandoned (and counted as such), every handle is freed, and the
    /// result so far is returned with ``LoadResult/stoppedEarly`` set.
    ///
    /// - Parameter onSecond: called with each second's merged tally as soon as every worker has
    ///   closed it, in order, on a worker thread; keep it short (print a progress line).
    /// - Throws: ``HTTPError`` when the configuration is unusable (a bad URL, rate or limit) or
    ///   libcurl cannot start; failures of single requests are counted, not thrown.
    public static func run(
        _ configuration: LoadConfiguration,
        onSecond: (@Sendable (_ second: Int, _ tally: LoadTally) -> Void)? = nil
    ) async throws -> LoadResult {
        try validate(configuration)
        try Task.checkCancellation()
        let shares = shares(of: configuration)
        raiseFileLimit(to: shares.reduce(0) { $0 + $1.descriptors } + 64)
        let control = LoadControl()
        let collector = LoadCollector(workers: shares.count, onSecond: onSecond)
        let cpuBefore = LoadCPUUsage.now()
        let wallBefore = LoadWorker.now()
        // A few milliseconds' lead, so that every worker is ready when the first request is due.
        let origin = wallBefore + 20_000_000
        let started = Date(timeIntervalSinceNow: 0.020)
        for (index, share) in shares.enumerated() {
            let thread = Thread {
                let outcome: LoadWorker.Outcome
                do {
                    // The worker, its handles and its sockets are gone by the end of this block,
                    // before the collector hears that it finished.
                    let worker = try LoadWorker(
                        index: index, configuration: configuration, share: share.work, origin: origin,
                        control: control, collector: collector, connectionLimit: share.connectionLimit
                    )
                    outcome = worker.run()
                } catch {
                    control.stop()
                    collector.finish(total: nil, sentInTime: 0, abandoned: 0, sendingEnded: 0, lastEnded: 0, failure: error as? HTTPError
                        ?? HTTPError(code: .other, message: "\(error)", url: configuration.request.url))
                    return
                }
                collector.finish(
                    total: outcome.total, sentInTime: outcome.sentInTime, abandoned: outcome.abandoned,
                    sendingEnded: outcome.sendingEnded, lastEnded: outcome.lastEnded, failure: nil
                )
            }
            thread.name = "QuakeHTTP load \(index)"
            thread.start()
        }
        let outcome = await withTaskCancellationHandler {
            await collector.outcome()
        } onCancel: {
            control.stop()
        }
        if let failure = outcome.failure { throw failure }
        let cpuAfter = LoadCPUUsage.now()
        let wallAfter = LoadWorker.now()
        var ran = configuration
        ran.workers = shares.count
        return LoadResult(
            configuration: ran,
            started: started,
            total: outcome.total,
            windows: outcome.windows,
            sentWhileSending: outcome.sentInTime,
            sendingTime: .nanoseconds(max(0, outcome.sendingEnded - origin)),
            elapsed: .nanoseconds(max(0, outcome.lastEnded - origin)),
            abandoned: outcome.abandoned,
            stoppedEarly: control.isStopped,
            cpu: LoadCPUUsage(
                user: cpuAfter.user - cpuBefore.user,
                system: cpuAfter.system - cpuBefore.system,
                wall: .nanoseconds(wallAfter - wallBefore)
            )
        )
    }

    /// Checks what would make every request fail the same way, or the load impossible to run.
    static func validate(_ configuration: LoadConfiguration) throws {
        let request = configuration.request
        try request.validate()
        if let problem = LoadWorker.urlProblem(request.url) {
            throw HTTPError(code: .invalidURL, message: "not a usable URL: \(problem)", url: request.url)
        }
        func invalid(_ message: String) -> HTTPError {
            HTTPError(code: .invalidRequest, message: message, url: request.url)
        }
        guard configuration.duration > .zero else { throw invalid("the duration must be positive") }
        guard configuration.workers >= 1 else { throw invalid("there must be at least one worker") }
        switch configuration.mode {
        case .openLoop(let rate, _, let maxInFlight, let connections):
            guard rate.isFinite, rate > 0, rate <= 10_000_000 else {
                throw invalid("the rate must be above 0 and at most 10,000,000 requests per second")
            }
            guard maxInFlight >= 1 else { throw invalid("the in-flight cap must be at least 1") }
            if let ramp = configuration.ramp {
                guard ramp.from.isFinite, ramp.from >= 0, ramp.from <= 10_000_000 else {
                    throw invalid("a ramp must start at 0 to 10,000,000 requests per second")
                }
                guard ramp.over > .zero else { throw invalid("a ramp must last more than 0 s") }
            }
            if let connections, connections < 1 { throw invalid("there must be at least one connection") }
        case .closedLoop(let connections):
            guard connections >= 1 else { throw invalid("there must be at least one connection") }
            guard configuration.ramp == nil else { throw invalid("a ramp applies to an open loop (a rate) only") }
        }
    }

    /// One worker's part of the load.
    struct Share {
        var work: LoadWorker.Share
        var connectionLimit: Int?
        /// The most sockets it may hold.
        var descriptors: Int
    }

    /// Splits the load between the workers: the rate, the in-flight cap and the connections evenly
    /// (no more workers than there are connections or in-flight slots).
    static func shares(of configuration: LoadConfiguration) -> [Share] {
        switch configuration.mode {
        case .openLoop(let rate, let arrival, let maxInFlight, let connections):
            let inFlight = min(maxInFlight, connections ?? Int.max)
            let workers = min(configuration.workers, inFlight)
            return (0..<workers).map { w in
                let cap = part(of: inFlight, worker: w, workers: workers)
                let limit = connections.map { part(of: $0, worker: w, workers: workers) }
                let schedule = LoadSchedule(rate: rate, arrival: arrival, worker: w, workers: workers, duration: configuration.duration, ramp: configuration.ramp)
                return Share(work: .open(schedule, maxInFlight: cap), connectionLimit: limit, descriptors: limit ?? cap)
            }
        case .closedLoop(let connections):
            let workers = min(configuration.workers, connections)
            return (0..<workers).map { w in
                let count = part(of: connections, worker: w, workers: workers)
                return Share(work: .closed(connections: count), connectionLimit: count, descriptors: count)
            }
        }
    }

    /// Worker `w`'s part of `total` split as evenly as whole numbers allow.
    private static func part(of total: Int, worker w: Int, workers: Int) -> Int {
        total / workers + (w < total % workers ? 1 : 0)
    }

    /// Raises the soft limit on open files towards `needed` (within the hard limit): one socket per
    /// connection, and the default soft limit is often 1024.
    private static func raiseFileLimit(to needed: Int) {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0, limit.rlim_cur < rlim_t(needed) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(needed))
        _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
    }

    #if canImport(Glibc)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}
