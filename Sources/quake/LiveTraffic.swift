import QuakeCore
import QuakeHTTP
import QuakeObserve

/// The plan's traffic on a live target (lab, kubernetes): one open-loop load per `traffic` entry,
/// from the schedule's start for its whole length, sent by the libcurl load generator to the
/// route by which its client locality reaches the service.
enum LiveTraffic {
    /// One entry of the plan's traffic and how it is sent.
    struct Load: Sendable {
        var spec: LoadSpec
        var route: ServiceRoute
        var configuration: LoadConfiguration
    }

    /// The loads of `plan` that have a route; Poisson arrivals are drawn from `seed`.
    static func loads(of plan: Plan, seed: UInt64, route: (_ service: String, _ from: Locality) -> ServiceRoute?) -> [Load] {
        plan.traffic.compactMap { spec in
            guard let route = route(spec.to, spec.from) else { return nil }
            var headers: HTTPHeaders = [:]
            if let host = route.host { headers.append(name: "Host", value: host) }
            let configuration = LoadConfiguration(
                request: HTTPRequest(url: route.url(spec.path), headers: headers, timeout: .seconds(30)),
                mode: .openLoop(rate: spec.rate.perSecond, arrival: spec.arrival == .poisson ? .poisson(seed: seed) : .constant),
                duration: .microseconds(plan.schedule.duration.microseconds),
                workers: 1,
                ramp: spec.rampFrom.flatMap { from in
                    spec.rampDuration > .zero ? LoadRamp(from: from.perSecond, over: .microseconds(spec.rampDuration.microseconds)) : nil
                })
            return Load(spec: spec, route: route, configuration: configuration)
        }
    }

    /// What a run would send, for the dry run: a line per load and per probe where `route` sends
    /// them, and a line for each that would not run, with the reason (`unrouted` says why a load
    /// has no route).
    static func lines(plan: Plan, seed: UInt64, route: (_ service: String, _ from: Locality) -> ServiceRoute?, unrouted: String) -> [String] {
        guard !plan.traffic.isEmpty || !plan.probes.isEmpty else { return [] }
        let loads = Self.loads(of: plan, seed: seed, route: route)
        let probes = LiveProbes(plan: plan, serviceRoute: route)
        var lines = ["traffic and probes (from the schedule's start, for its whole length):"]
        for spec in plan.traffic {
            guard let load = loads.first(where: { $0.spec == spec }) else {
                lines.append("  no load from \(spec.from) to \(spec.to): \(unrouted)")
                continue
            }
            let ramp = load.configuration.ramp == nil ? "" : spec.rampFrom.map { ", from \($0) over \(spec.rampDuration)" } ?? ""
            lines.append("  load \(spec.rate) (\(spec.arrival.rawValue)\(ramp)) from \(spec.from) to \(spec.to): GET \(request(load.route.url(spec.path), host: load.route.host))")
        }
        for target in probes.runner.targets {
            let spec = target.spec
            lines.append("  probe \(spec.name) every \(spec.interval) (timeout \(spec.timeout)): GET \(request(target.url, host: target.host)); passes on \(expectations(spec))")
        }
        for (name, reason) in probes.runner.unresolved {
            lines.append("  probe \(name) does not run: \(reason)")
        }
        return lines
    }

    /// `url`, and the Host header sent there if it is not the URL's own.
    private static func request(_ url: String, host: String?) -> String {
        url + (host.map { " with Host: \($0)" } ?? "")
    }

    /// What a passing check of `probe` answers, in words.
    private static func expectations(_ probe: ProbeSpec) -> String {
        var parts = ["status \(probe.expectStatus)"]
        if let text = probe.expectBodyContains { parts.append("a body containing \"\(text)\"") }
        if let json = probe.expectJSON { parts.append("\(json.path) = \"\(json.equals)\"") }
        return parts.joined(separator: ", ")
    }
}
