import NIOCore
import QuakeCore
import Synchronization

/// The state a pod's connections share: its metrics, its seeded generator, the overrides set
/// through `/control/…`, the open connections (for a graceful shutdown) and the queue of
/// requests waiting for their downstream calls.
final class PodState: Sendable {
    let configuration: PodConfiguration
    let log: PodLog
    private let state: Mutex<Inner>
    private let jobs: AsyncStream<PodDownstreamJob>.Continuation
    /// The jobs queued for downstream calls, read by the pod's call pump.
    let queuedJobs: AsyncStream<PodDownstreamJob>

    private struct Inner {
        var metrics = PodMetrics()
        var random: PodRandom
        var errorRate: Double
        var extraDelay: Int64 = 0
        var healthFailing = false
        var loggedFailures = 0
        var shuttingDown = false
        var connections: [ObjectIdentifier: any Channel] = [:]
        var cutOff: Set<String>
    }

    /// What a service request should do, drawn when it arrives.
    struct Draw {
        /// How long to wait before answering or calling downstream, µs.
        var delay: Int64
        /// Whether the application fails this request itself.
        var fails: Bool
    }

    init(configuration: PodConfiguration, log: PodLog) {
        self.configuration = configuration
        self.log = log
        state = Mutex(Inner(random: PodRandom(seed: configuration.seed), errorRate: configuration.errorRate, cutOff: Set(configuration.cutOff)))
        (queuedJobs, jobs) = AsyncStream.makeStream(of: PodDownstreamJob.self)
    }

    // MARK: Requests

    /// Counts a service request in flight and draws its service time and whether it fails.
    func beginRequest() -> Draw {
        state.withLock { s in
            s.metrics.requestStarted()
            let delay = s.random.sample(configuration.serviceTime) + s.extraDelay
            return Draw(delay: delay, fails: s.random.chance(s.errorRate))
        }
    }

    /// Records a service request's answer.
    func endRequest(status: Int, seconds: Double) {
        state.withLock { $0.metrics.requestFinished(status: status, seconds: seconds) }
    }

    /// Records one downstream call's outcome (`code` 0 when no response came); the first
    /// ``loggedFailureLimit`` failures are also logged, with `detail`.
    func downstreamCalled(service: String, code: Int, failure detail: String? = nil) {
        let logged = state.withLock { s in
            s.metrics.downstreamCalled(service: service, code: code)
            guard detail != nil, s.loggedFailures <= Self.loggedFailureLimit else { return -1 }
            s.loggedFailures += 1
            return s.loggedFailures
        }
        guard let detail, logged > 0 else { return }
        log.write("call to \(service) failed: \(detail)")
        if logged == Self.loggedFailureLimit + 1 { log.write("further failed calls are counted in /metrics, not logged") }
    }

    /// How many failed downstream calls are logged.
    static let loggedFailureLimit = 20

    /// Queues a request's downstream calls for the call pump; false once the pod is shutting down.
    func enqueue(_ job: PodDownstreamJob) -> Bool {
        if case .enqueued = jobs.yield(job) { return true }
        return false
    }

    /// Ends the queue of downstream calls: the call pump finishes the jobs it has and stops.
    func finishJobs() { jobs.finish() }

    /// The metrics page.
    func renderMetrics() -> String {
        let metrics = state.withLock { $0.metrics }
        return metrics.render(service: configuration.service, pod: configuration.pod)
    }

    /// Requests in flight now.
    var inFlight: Int { state.withLock { $0.metrics.inFlight } }

    // MARK: Health and control

    /// Whether `/healthz` should fail: told to, or shutting down.
    var isHealthy: Bool { state.withLock { !$0.healthFailing && !$0.shuttingDown } }

    /// Makes `/healthz` fail (or pass again).
    func setHealthFailing(_ failing: Bool) {
        state.withLock { $0.healthFailing = failing }
        log.write("control: healthz \(failing ? "failing" : "ok")")
    }

    /// Replaces the configured error rate until reset.
    func setErrorRate(_ rate: Double) {
        state.withLock { $0.errorRate = rate }
        log.write("control: error rate \(rate)")
    }

    /// Adds `microseconds` to every service time until reset (0 removes it).
    func setExtraDelay(_ microseconds: Int64) {
        state.withLock { $0.extraDelay = microseconds }
        log.write("control: extra delay \(microseconds) µs")
    }

    /// Drops every control override: configured error rate, no extra delay, passing `/healthz`.
    func resetControls() {
        state.withLock { s in
            s.errorRate = configuration.errorRate
            s.extraDelay = 0
            s.healthFailing = false
        }
        log.write("control: reset")
    }

    // MARK: Partition

    /// Whether requests from `peer` (an IP address as SwiftNIO gives it) are held unanswered.
    func isCutOff(_ peer: String?) -> Bool {
        guard let peer else { return false }
        return state.withLock { $0.cutOff.contains(peer) }
    }

    /// The peers cut off now, sorted.
    var cutOffPeers: [String] { state.withLock { $0.cutOff.sorted() } }

    /// Replaces the peers cut off and returns the connections open now, which should look again at
    /// the requests they hold (``PodCutOffChanged``).
    func setCutOff(_ peers: [String]) -> [any Channel] {
        let open = state.withLock { s in
            s.cutOff = Set(peers)
            return Array(s.connections.values)
        }
        log.write("control: cut off from \(peers.isEmpty ? "no peer" : peers.sorted().joined(separator: ", "))")
        return open
    }

    // MARK: Connections

    /// Records a new connection; false (and the connection should close) when shutting down.
    func connectionOpened(_ channel: any Channel) -> Bool {
        state.withLock { s in
            s.metrics.connectionOpened()
            s.connections[ObjectIdentifier(channel)] = channel
            return !s.shuttingDown
        }
    }

    func connectionClosed(_ channel: any Channel) {
        state.withLock { s in
            if s.connections.removeValue(forKey: ObjectIdentifier(channel)) != nil { s.metrics.connectionClosed() }
        }
    }

    /// Marks the pod as shutting down and returns the connections open now.
    func beginShutdown() -> [any Channel] {
        state.withLock { s in
            s.shuttingDown = true
            return Array(s.connections.values)
        }
    }

    /// Whether a shutdown has begun.
    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Connections open now.
    var openConnections: [any Channel] { state.withLock { Array($0.connections.values) } }
}
