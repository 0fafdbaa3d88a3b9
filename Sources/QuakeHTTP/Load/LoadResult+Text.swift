import Foundation

extension LoadResult {
    /// The summary table `quake load` prints: what was sent and how fast against the target, the
    /// statuses and failures, the late and unsent requests, latency percentiles and the CPU used.
    public func renderText() -> String {
        var rows: [(String, String)] = []
        let request = configuration.request
        rows.append(("target", "\(request.method) \(request.url)" + (request.tls.isInsecure && request.url.lowercased().hasPrefix("https:") ? " (insecure: \(request.tls))" : "")))
        rows.append(("load", modeDescription))
        rows.append(("requests", "\(scheduled) scheduled: \(total.sent) sent (\(total.late) late), \(total.unsent) unsent; "
            + "\(total.completed) ended, \(abandoned) abandoned" + (stoppedEarly ? " (stopped early)" : "")))
        var rate = "\(Self.number(sentPerSecond, digits: 1))/s sent"
        if let target = configuration.targetRate, let error = rateError {
            rate += " (target \(Self.number(target, digits: 1))/s, \(error >= 0 ? "+" : "")\(Self.number(error * 100, digits: 2)) %)"
        }
        rate += "; \(Self.number(completedPerSecond, digits: 1))/s ended over \(Self.seconds(elapsed))"
        rows.append(("rate", rate))
        rows.append(("statuses", total.statuses.isEmpty ? "none" : total.statuses.map { "\($0.status): \($0.count)" }.joined(separator: ", ")))
        rows.append(("errors", total.errors.isEmpty ? "none" : total.errors.map { "\($0.kind): \($0.count)" }.joined(separator: ", ")))
        let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]
        var latency = percentiles.map { "\($0.0) \(Self.latency(total.latency(atPercentile: $0.1)))" }
        latency.append("max \(Self.latency(total.maxLatency))")
        rows.append(("latency", latency.joined(separator: "  ")))
        rows.append(("received", "\(total.bodyBytes) body bytes"))
        rows.append(("cpu", "\(Self.number(cpu.cores, digits: 2)) cores (user \(Self.seconds(cpu.user)), system \(Self.seconds(cpu.system)) over \(Self.seconds(cpu.wall)))"))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }

    /// The load in one line, such as `open loop, 2000/s constant for 30 s; 2 workers, at most 256 in flight`.
    public var modeDescription: String {
        let duration = Self.seconds(configuration.duration)
        switch configuration.mode {
        case .openLoop(let rate, let arrival, let maxInFlight, let connections):
            let limit = connections.map { ", at most \($0) connections" } ?? ""
            return "open loop, \(Self.number(rate, digits: 1))/s \(arrival) for \(duration); \(configuration.workers) workers, at most \(maxInFlight) in flight\(limit)"
        case .closedLoop(let connections):
            return "closed loop, \(connections) connections for \(duration); \(configuration.workers) workers"
        }
    }

    /// `0.213 ms`, `12.4 ms`, `1.002 s`, or `-` for none.
    static func latency(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let milliseconds = duration / .milliseconds(1)
        if milliseconds < 1 { return String(format: "%.3f ms", milliseconds) }
        if milliseconds < 1000 { return String(format: "%.1f ms", milliseconds) }
        return String(format: "%.3f s", milliseconds / 1000)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", duration / .seconds(1))
    }

    static func number(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
