import QuakeCore

extension ObservedSummary {
    /// The summary as JSON, keys sorted, one window per line: every table in full, per window too;
    /// times as ISO 8601 and µs since the epoch, latencies in µs (null when none). Written by
    /// hand, because a log of many windows makes a large document.
    public func renderJSON() -> String {
        var out = "{\n\"dropped\": \(dropped),\n\"malformed\": {\"count\": \(malformed.count), \"samples\": ["
        out += malformed.samples.map { "{\"location\": \(Self.quoted($0.location)), \"message\": \(Self.quoted($0.message))}" }.joined(separator: ", ")
        out += "]},\n\"start\": \"\(Self.timestamp(start))\",\n\"start_us\": \(start),\n\"total\": "
        Self.append(total, to: &out)
        out += ",\n\"window_us\": \(window.microseconds),\n\"windows\": [\n"
        for (i, w) in windows.enumerated() {
            Self.append(w, to: &out)
            out += i + 1 < windows.count ? ",\n" : "\n"
        }
        out += "]\n}"
        return out
    }

    private static func append(_ counts: Counts, to out: inout String) {
        func table(_ rows: [ObservedCount]) -> String {
            "[" + rows.map { "{\"name\": \(quoted($0.name)), \"requests\": \($0.count)}" }.joined(separator: ", ") + "]"
        }
        func us(_ span: TimeSpan?) -> String { span.map { String($0.microseconds) } ?? "null" }
        out += "{\"codes\": [" + counts.codes.map { "{\"code\": \($0.name), \"requests\": \($0.count)}" }.joined(separator: ", ") + "]"
        out += ", \"flag_combinations\": " + table(counts.flagCombinations)
        out += ", \"flags\": " + table(counts.flags)
        let l = counts.latency
        out += ", \"latency_us\": {\"count\": \(l.count), \"max\": \(us(l.max)), \"p50\": \(us(l.p50)), \"p90\": \(us(l.p90)), \"p99\": \(us(l.p99)), \"p99_9\": \(us(l.p999))}"
        out += ", \"requests\": \(counts.requests)"
        if let start = counts.start { out += ", \"start\": \"\(timestamp(start))\", \"start_us\": \(start)" }
        out += ", \"upstream_clusters\": " + table(counts.upstreamClusters)
        out += ", \"upstream_hosts\": " + table(counts.upstreamHosts) + "}"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
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
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
