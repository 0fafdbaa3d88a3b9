import Foundation
import QuakeCore

/// The terminal summary of a run: traffic per time slice for the services clients call, ready
/// replicas, and every event.
public enum RunSummary {
    /// Aggregated traffic of one time slice.
    public struct Slice: Sendable, Equatable {
        /// First window of the slice.
        public var start: TimeSpan
        /// End of the slice.
        public var end: TimeSpan
        public var requests: Int
        public var successes: Int
        public var p99: TimeSpan?
        /// Failed requests by flag combination, most common first.
        public var failures: [(flags: String, count: Int)]

        public static func == (a: Slice, b: Slice) -> Bool {
            a.start == b.start && a.requests == b.requests && a.successes == b.successes && a.p99 == b.p99
        }
    }

    /// Slices of `service` traffic (all clients, all destinations), at most `rows` of them.
    public static func slices(of timeline: Timeline, service: String, rows: Int = 40) -> [Slice] {
        let per = max(1, (timeline.windowCount + rows - 1) / rows)
        let traffic = timeline.traffic.filter { $0.key.service == service }
        let latency = timeline.latency.filter { $0.key.service == service }
        return stride(from: 0, to: timeline.windowCount, by: per).map { first in
            let windows = first..<min(timeline.windowCount, first + per)
            var requests = 0, successes = 0
            var failures: [String: Int] = [:]
            var histogram = LatencyHistogram()
            for series in traffic {
                for w in windows {
                    requests += Int(series.requests[w])
                    successes += Int(series.successes[w])
                    for (i, named) in ResponseFlags.named.enumerated() {
                        let n = Int(series.flags[w * ResponseFlags.count + i])
                        if n > 0 { failures[named.name, default: 0] += n }
                    }
                    let fiveXX = series.count(ofClass: 5, window: w)
                    let flagged = ResponseFlags.named.indices.reduce(0) { $0 + Int(series.flags[w * ResponseFlags.count + $1]) }
                    if fiveXX > 0 && flagged == 0 { failures["5xx", default: 0] += fiveXX }
                }
            }
            for series in latency { for w in windows { histogram.merge(series.histograms[w]) } }
            let ordered = failures.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { (flags: $0.key, count: $0.value) }
            return Slice(start: TimeSpan(microseconds: Int64(windows.lowerBound) * timeline.window.microseconds),
                         end: TimeSpan(microseconds: Int64(windows.upperBound) * timeline.window.microseconds),
                         requests: requests, successes: successes, p99: histogram.value(atPercentile: 99), failures: ordered)
        }
    }

    /// The whole summary as text.
    public static func render(plan: Plan, timeline: Timeline, simulatedRequests: Int, target: String, seed: UInt64) -> String {
        var out = TextBlock()
        out.line("\(plan.metadata.name) on the \(target) (seed \(seed)): \(grouped(simulatedRequests)) requests \(target.hasPrefix("model") ? "simulated" : "observed") over \(plan.schedule.duration)")
        var entry: [String] = []
        for load in plan.traffic where !entry.contains(load.to) { entry.append(load.to) }
        for service in entry {
            out.section("Traffic to \(service) (every client, every cluster)")
            out.line(pad("time", 15) + pad("requests", 11) + pad("success", 10) + pad("p99", 10) + "failures by Envoy flag")
            for slice in slices(of: timeline, service: service) {
                let ratio = slice.requests == 0 ? "-" : String(format: "%.2f%%", 100 * Double(slice.successes) / Double(slice.requests))
                let failures = slice.failures.prefix(4).map { "\($0.flags) \(grouped($0.count))" }.joined(separator: ", ")
                out.line(pad("\(slice.start)–\(slice.end)", 15) + pad(grouped(slice.requests), 11) + pad(ratio, 10) + pad(slice.p99.map { "\($0)" } ?? "-", 10) + failures)
            }
        }
        out.section("Ready replicas at the end")
        let last = timeline.windowCount - 1
        for service in plan.services {
            let counts = timeline.replicas.filter { $0.key.service == service.name && $0.ready[last] > 0 }.map { "\($0.key.cluster)=\($0.ready[last])" }
            out.line("  \(service.name): " + (counts.isEmpty ? "none" : counts.joined(separator: ", ")) + " (desired \(service.replicas))")
        }
        out.section("Events")
        if timeline.events.isEmpty { out.line("  none") }
        for e in timeline.events { out.line("  " + e.description) }
        return out.text
    }

    /// The SLO verdicts, one line each, for the terminal.
    public static func verdicts(_ card: Scorecard) -> String {
        var out = TextBlock()
        out.section("SLOs: \(card.verdict.rawValue.uppercased())" + (card.score.map { String(format: ", resilience score %.1f/100", $0) } ?? ""))
        for r in card.slos { out.line("  \(pad(r.verdict.rawValue, 13))\(r.slo.name): \(r.reason)") }
        if let abort = card.abort { out.line("  aborted at \(abort.at) by \(abort)") }
        return out.text
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
}
