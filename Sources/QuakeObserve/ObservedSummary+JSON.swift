import QuakeCore

extension ObservedSummary {
    /// The summary as JSON, keys sorted, one window per line: every table in full, per window too;
    /// times as ISO 8601 and µs since the epoch, latencies in µs (null when none). Written by
    /// hand into one byte buffer, because a log of many windows makes a large document.
    public func renderJSON() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096 + windows.count * 1024)
        Self.put("{\n\"dropped\": ", &out)
        Self.put(dropped, &out)
        Self.put(",\n\"malformed\": {\"count\": ", &out)
        Self.put(malformed.count, &out)
        Self.put(", \"samples\": [", &out)
        for (i, sample) in malformed.samples.enumerated() {
            Self.put(i == 0 ? "{\"location\": " : ", {\"location\": ", &out)
            Self.putQuoted(sample.location, &out)
            Self.put(", \"message\": ", &out)
            Self.putQuoted(sample.message, &out)
            out.append(UInt8(ascii: "}"))
        }
        Self.put("]},\n\"start\": \"", &out)
        Self.putTimestamp(start, &out)
        Self.put("\",\n\"start_us\": ", &out)
        Self.put(Int(start), &out)
        Self.put(",\n\"total\": ", &out)
        Self.append(total, to: &out)
        Self.put(",\n\"window_us\": ", &out)
        Self.put(Int(window.microseconds), &out)
        Self.put(",\n\"windows\": [\n", &out)
        for (i, w) in windows.enumerated() {
            Self.append(w, to: &out)
            Self.put(i + 1 < windows.count ? ",\n" : "\n", &out)
        }
        Self.put("]\n}", &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One window's figures as a JSON object on one line, as in ``renderJSON()``'s `windows`.
    public static func windowJSON(_ counts: Counts) -> String {
        var out: [UInt8] = []
        append(counts, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ counts: Counts, to out: inout [UInt8]) {
        func table(_ rows: [ObservedCount]) {
            out.append(UInt8(ascii: "["))
            for (i, row) in rows.enumerated() {
                put(i == 0 ? "{\"name\": " : ", {\"name\": ", &out)
                putQuoted(row.name, &out)
                put(", \"requests\": ", &out)
                put(row.count, &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        func us(_ span: TimeSpan?) {
            if let span { put(Int(span.microseconds), &out) } else { put("null", &out) }
        }
        put("{\"codes\": [", &out)
        for (i, code) in counts.codes.enumerated() {
            put(i == 0 ? "{\"code\": " : ", {\"code\": ", &out)
            put(code.name, &out)
            put(", \"requests\": ", &out)
            put(code.count, &out)
            out.append(UInt8(ascii: "}"))
        }
        put("], \"flag_combinations\": ", &out)
        table(counts.flagCombinations)
        put(", \"flags\": ", &out)
        table(counts.flags)
        let l = counts.latency
        put(", \"latency_us\": {\"count\": ", &out)
        put(l.count, &out)
        put(", \"max\": ", &out)
        us(l.max)
        put(", \"p50\": ", &out)
        us(l.p50)
        put(", \"p90\": ", &out)
        us(l.p90)
        put(", \"p99\": ", &out)
        us(l.p99)
        put(", \"p99_9\": ", &out)
        us(l.p999)
        put("}, \"requests\": ", &out)
        put(counts.requests, &out)
        if let start = counts.start {
            put(", \"start\": \"", &out)
            putTimestamp(start, &out)
            put("\", \"start_us\": ", &out)
            put(Int(start), &out)
        }
        put(", \"upstream_clusters\": ", &out)
        table(counts.upstreamClusters)
        put(", \"upstream_hosts\": ", &out)
        table(counts.upstreamHosts)
        out.append(UInt8(ascii: "}"))
    }

    private static func put(_ text: String, _ out: inout [UInt8]) { out.append(contentsOf: text.utf8) }

    /// A decimal integer.
    private static func put(_ value: Int, _ out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var v = value.magnitude
        var divisor: UInt = 1
        while divisor <= v / 10 { divisor *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor))
            v %= divisor
            divisor /= 10
        } while divisor > 0
    }

    private static func putTimestamp(_ us: Int64, _ out: inout [UInt8]) { put(timestamp(us), &out) }

    /// A JSON string literal, appended.
    private static func putQuoted(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): put("\\\"", &out)
            case UInt8(ascii: "\\"): put("\\\\", &out)
            case 0x0A: put("\\n", &out)
            case 0x0D: put("\\r", &out)
            case 0x09: put("\\t", &out)
            case 0..<0x20, 0x7F:
                let hex = String(byte, radix: 16)
                put("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, &out)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

}
