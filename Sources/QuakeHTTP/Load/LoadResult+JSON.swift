import Foundation

extension LoadResult {
    /// The figures of ``renderText()`` as JSON, keys sorted, with one object per second; latencies
    /// in microseconds (null when nothing ended), rates per second, times in seconds.
    public func renderJSON() -> String {
        var out = "{\n"
        let request = configuration.request
        var fields: [(String, String)] = []
        fields.append(("abandoned", "\(abandoned)"))
        fields.append(("cpu", "{\"cores\": \(Self.json(cpu.cores)), \"system_s\": \(Self.json(cpu.system / .seconds(1))), "
            + "\"user_s\": \(Self.json(cpu.user / .seconds(1))), \"wall_s\": \(Self.json(cpu.wall / .seconds(1)))}"))
        fields.append(("completed_per_second", Self.json(completedPerSecond)))
        fields.append(("duration_s", Self.json(configuration.duration / .seconds(1))))
        fields.append(("elapsed_s", Self.json(elapsed / .seconds(1))))
        fields.append(("method", Self.quoted(request.method.rawValue)))
        fields.append(("mode", modeJSON))
        fields.append(("rate_error", rateError.map(Self.json) ?? "null"))
        fields.append(("scheduled", "\(scheduled)"))
        fields.append(("sending_s", Self.json(sendingTime / .seconds(1))))
        fields.append(("sent_per_second", Self.json(sentPerSecond)))
        fields.append(("sent_while_sending", "\(sentWhileSending)"))
        fields.append(("started", Self.quoted(ISO8601DateFormatter().string(from: started))))
        fields.append(("stopped_early", stoppedEarly ? "true" : "false"))
        fields.append(("target_rate", configuration.targetRate.map(Self.json) ?? "null"))
        fields.append(("total", Self.tally(total, second: nil)))
        fields.append(("url", Self.quoted(request.url)))
        fields.append(("workers", "\(configuration.workers)"))
        for (name, value) in fields {
            out += "\"\(name)\": \(value),\n"
        }
        out += "\"windows\": [\n"
        for (i, window) in windows.enumerated() {
            out += Self.tally(window, second: i) + (i + 1 < windows.count ? ",\n" : "\n")
        }
        return out + "]\n}"
    }

    private var modeJSON: String {
        switch configuration.mode {
        case .openLoop(let rate, let arrival, let maxInFlight, let connections):
            var seed = "null"
            if case .poisson(let value) = arrival { seed = "\(value)" }
            let kind = arrival == .constant ? "constant" : "poisson"
            return "{\"arrival\": \"\(kind)\", \"connections\": \(connections.map(String.init) ?? "null"), "
                + "\"kind\": \"open\", \"max_in_flight\": \(maxInFlight), \"rate\": \(Self.json(rate)), \"seed\": \(seed)}"
        case .closedLoop(let connections):
            return "{\"connections\": \(connections), \"kind\": \"closed\"}"
        }
    }

    private static func tally(_ tally: LoadTally, second: Int?) -> String {
        func us(_ duration: Duration?) -> String {
            duration.map { String(Int64(($0 / .microseconds(1)).rounded())) } ?? "null"
        }
        var out = "{\"body_bytes\": \(tally.bodyBytes), \"completed\": \(tally.completed), \"errors\": ["
        out += tally.errors.map { "{\"count\": \($0.count), \"kind\": \"\($0.kind)\"}" }.joined(separator: ", ")
        out += "], \"failures\": \(tally.failures), \"late\": \(tally.late)"
        out += ", \"latency_us\": {\"max\": \(us(tally.maxLatency)), \"p50\": \(us(tally.latency(atPercentile: 50))), "
            + "\"p90\": \(us(tally.latency(atPercentile: 90))), \"p99\": \(us(tally.latency(atPercentile: 99))), "
            + "\"p99_9\": \(us(tally.latency(atPercentile: 99.9)))}"
        out += ", \"responses\": \(tally.responses)"
        if let second { out += ", \"second\": \(second)" }
        out += ", \"sent\": \(tally.sent), \"statuses\": ["
        out += tally.statuses.map { "{\"count\": \($0.count), \"status\": \($0.status)}" }.joined(separator: ", ")
        return out + "], \"unsent\": \(tally.unsent)}"
    }

    /// A finite number as JSON (null for NaN or infinity).
    private static func json(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    /// A JSON string literal.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
