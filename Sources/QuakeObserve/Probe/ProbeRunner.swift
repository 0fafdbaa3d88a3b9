import Foundation
import QuakeCore
import QuakeHTTP

/// Runs a plan's probes for real: each probe's URL is checked every `interval` with its
/// `timeout` through an ``HTTPClient``, judged by ``ProbeJudge``, and counted into a
/// ``ProbeRecorder`` by the model's rule (``ProbeSchedule``), so that `probeSuccess(name)` scores
/// a lab or Kubernetes run as it scores a model run.
///
/// A `url` probe checks its URL; a `service` probe checks the path on the route the caller's
/// resolver gives for the service and client locality (a probe it cannot resolve is skipped and
/// listed in ``unresolved``; the scorer then finds its SLO inconclusive). Checks never wait for
/// one another: a slow check does not delay the next. Time comes from the clock passed to
/// ``run(clock:onCheck:)``, so a test can run an hour of checks in moments.
public struct ProbeRunner: Sendable {
    /// One probe with the URL it checks.
    public struct Target: Sendable {
        /// The probe as the plan declares it.
        public var spec: ProbeSpec
        /// The absolute URL checked.
        public var url: String
        /// The Host header sent, when the URL's host is not the one to name (a mesh listener).
        public var host: String?
    }

    /// The probes that run, in plan order.
    public let targets: [Target]
    /// Probes that do not run, by name, with the reason.
    public let unresolved: [(name: String, reason: String)]
    /// The checks counted so far, readable while the probes run.
    public let recorder: ProbeRecorder
    private let duration: TimeSpan
    private let window: TimeSpan
    private let client: HTTPClient
    private let tls: HTTPTLSOptions
    private let maxBodyBytes: Int

    /// The largest probe response body read; a longer one fails the check as ``HTTPError/Code/tooLarge``.
    public static let defaultMaxBodyBytes = 1 << 20

    /// A runner for `probes` over a run of `duration`, counted in windows of `window`.
    ///
    /// - Parameters:
    ///   - serviceRoute: how a client in the locality reaches the service (the base URL
    ///     `http://127.0.0.1:15001` with the Host header `backend`, say), or `nil` if nothing does.
    ///   - tls: how `https` probes verify the server (verified against the system's authorities by default).
    public init(
        probes: [ProbeSpec],
        duration: TimeSpan,
        window: TimeSpan,
        client: HTTPClient = HTTPClient(),
        tls: HTTPTLSOptions = HTTPTLSOptions(),
        maxBodyBytes: Int = ProbeRunner.defaultMaxBodyBytes,
        serviceRoute: (_ service: String, _ from: Locality) -> ServiceRoute? = { _, _ in nil }
    ) {
        var targets: [Target] = []
        var unresolved: [(String, String)] = []
        for probe in probes {
            switch probe.target {
            case .url(let url):
                targets.append(Target(spec: probe, url: url))
            case .service(let service, let from):
                if let route = serviceRoute(service, from) {
                    targets.append(Target(spec: probe, url: route.url(probe.path), host: route.host))
                } else {
                    unresolved.append((probe.name, "no URL reaches service \(service) from \(from)"))
                }
            }
        }
        self.targets = targets
        self.unresolved = unresolved
        self.duration = duration
        self.window = window
        self.client = client
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
        recorder = ProbeRecorder(names: targets.map(\.spec.name), windowCount: ProbeSchedule.windowCount(duration: duration, window: window))
    }

    /// Checks every probe on its schedule from now until the end of the run, and returns the
    /// series to add to the Timeline (also in ``recorder``).
    ///
    /// If the calling task is cancelled, no further check starts, checks under way are
    /// cancelled and not counted, and the series so far are returned.
    /// - Parameter onCheck: called with each counted check as it finishes, from any task.
    public func run<C: Clock>(clock: C, onCheck: (@Sendable (ProbeCheck) -> Void)? = nil) async -> [ProbeSeries]
    where C.Duration == Duration {
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask {
                    await runProbe(index, target, clock: clock, start: start, onCheck: onCheck)
                }
            }
        }
        return recorder.series
    }

    private func runProbe<C: Clock>(_ index: Int, _ target: Target, clock: C, start: C.Instant, onCheck: (@Sendable (ProbeCheck) -> Void)?) async
    where C.Duration == Duration {
        let spec = target.spec
        let schedule = ProbeSchedule(interval: spec.interval, duration: duration, window: window)
        let judge = ProbeJudge(spec)
        var headers: HTTPHeaders = ["User-Agent": "quake-probe"]
        if let host = target.host { headers.append(name: "Host", value: host) }
        let request = HTTPRequest(
            url: target.url, headers: headers,
            timeout: Self.duration(spec.timeout), connectTimeout: Self.duration(spec.timeout),
            tls: tls, maxBodyBytes: maxBodyBytes)
        await withTaskGroup(of: Void.self) { checks in
            for k in stride(from: 1, through: schedule.checkCount, by: 1) {
                let offset = schedule.offset(ofCheck: k)
                do {
                    try await clock.sleep(until: start.advanced(by: Self.duration(offset)), tolerance: nil)
                } catch {
                    break
                }
                checks.addTask {
                    guard let (verdict, latency) = await check(request, judge) else { return }
                    let window = schedule.window(at: offset)
                    recorder.record(probe: index, window: window, passed: verdict.passed)
                    onCheck?(ProbeCheck(probe: spec.name, offset: offset, window: window, verdict: verdict, latency: latency))
                }
            }
        }
    }

    /// Sends one check and judges it; `nil` if the task was cancelled first.
    private func check(_ request: HTTPRequest, _ judge: ProbeJudge) async -> (ProbeVerdict, Duration)? {
        let sent = ContinuousClock.now
        do {
            let response = try await client.send(request)
            return (judge.judge(status: response.status, body: response.body), ContinuousClock.now - sent)
        } catch is CancellationError {
            return nil
        } catch {
            return (judge.judge(failure: error), ContinuousClock.now - sent)
        }
    }

    private static func duration(_ span: TimeSpan) -> Duration {
        .microseconds(span.microseconds)
    }
}
