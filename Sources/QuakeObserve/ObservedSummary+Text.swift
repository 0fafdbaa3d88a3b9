import Foundation
import QuakeCore

extension ObservedSummary {
    /// How many rows each table of the text report shows (JSON has them all).
    public static let textRowLimit = 20

    /// The summary as readable tables: the whole log, then one line per window, then the first
    /// malformed lines.
    public func renderText() -> String {
        var out = "\(total.requests) requests"
        if !windows.isEmpty {
            out += " from \(Self.timestamp(start)) in \(windows.count) window\(windows.count == 1 ? "" : "s") of \(window)"
        }
        out += "; \(malformed.count) malformed line\(malformed.count == 1 ? "" : "s")"
        if dropped > 0 { out += "; \(dropped) dropped (before the start, or too far from the rest)" }
        out += "\n"
        let tables: [(String, [ObservedCount])] = [
            ("response code", total.codes), ("flag", total.flags), ("flag combination", total.flagCombinations),
            ("upstream cluster", total.upstreamClusters), ("upstream host", total.upstreamHosts),
        ]
        for (title, rows) in tables where !rows.isEmpty {
            out += "\n" + table(title, rows)
        }
        out += "\nlatency (\(total.latency.count) requests with a duration)\n"
        out += "  p50 \(Self.span(total.latency.p50))  p90 \(Self.span(total.latency.p90))  p99 \(Self.span(total.latency.p99))"
        out += "  p99.9 \(Self.span(total.latency.p999))  max \(Self.span(total.latency.max))\n"
        if !windows.isEmpty {
            out += "\nper window\n" + Self.windowHeader
            for w in windows { out += Self.windowRow(w, start: w.start ?? start) }
        }
        if malformed.count > 0 {
            out += "\nmalformed lines (\(malformed.samples.count) of \(malformed.count) shown)\n"
            for sample in malformed.samples { out += "  \(sample)\n" }
        }
        return out
    }

    /// The heading of the per-window table, with its newline.
    public static let windowHeader = pad("start", 26) + pad("requests", 10, right: true) + pad("2xx", 9, right: true) + pad("4xx", 8, right: true)
        + pad("5xx", 8, right: true) + pad("0", 7, right: true) + pad("p50", 10, right: true) + pad("p99", 10, right: true) + "  flags\n"

    /// One row of the per-window table, with its newline: the window starting at `start` (µs since
    /// the epoch), its requests by status class, its p50 and p99, and its four commonest flag
    /// combinations.
    public static func windowRow(_ w: Counts, start: Int64) -> String {
        func classCount(_ c: Int) -> Int { w.codes.filter { (Int($0.name) ?? 0) / 100 == c }.reduce(0) { $0 + $1.count } }
        let flags = w.flagCombinations.filter { $0.name != "-" }.prefix(4).map { "\($0.name) \($0.count)" }.joined(separator: ", ")
        return pad(timestamp(start), 26) + pad("\(w.requests)", 10, right: true)
            + pad("\(classCount(2))", 9, right: true) + pad("\(classCount(4))", 8, right: true)
            + pad("\(classCount(5))", 8, right: true) + pad("\(classCount(0))", 7, right: true)
            + pad(span(w.latency.p50), 10, right: true) + pad(span(w.latency.p99), 10, right: true)
            + (flags.isEmpty ? "" : "  " + flags) + "\n"
    }

    private func table(_ title: String, _ rows: [ObservedCount]) -> String {
        let width = max(title.count, rows.prefix(Self.textRowLimit).map(\.name.count).max() ?? 0) + 2
        var out = Self.pad(title, width) + Self.pad("requests", 10, right: true) + Self.pad("%", 8, right: true) + "\n"
        for row in rows.prefix(Self.textRowLimit) {
            let share = total.requests > 0 ? Double(row.count) * 100 / Double(total.requests) : 0
            out += Self.pad(row.name, width) + Self.pad("\(row.count)", 10, right: true) + Self.pad(String(format: "%.2f", share), 8, right: true) + "\n"
        }
        if rows.count > Self.textRowLimit { out += "  … \(rows.count - Self.textRowLimit) more (see --json)\n" }
        return out
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(1, width - text.count))
        return right ? space + text : text + space
    }

    static func span(_ value: TimeSpan?) -> String { value.map(\.description) ?? "-" }

    /// `2024-05-01T12:00:00.123Z` for µs since the epoch (proleptic Gregorian, UTC).
    static func timestamp(_ us: Int64) -> String {
        let ms = us >= 0 ? us / 1000 : (us - 999) / 1000
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let inDay = ms - days * 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + "T" + padded(inDay / 3_600_000, 2) + ":"
            + padded(inDay / 60000 % 60, 2) + ":" + padded(inDay / 1000 % 60, 2) + "." + padded(inDay % 1000, 3) + "Z"
    }

    /// `value` in decimal, zero-padded to `width` characters as printf's `%0*lld` does (a minus sign counts).
    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0)))
        return (value < 0 ? "-" : "") + zeros + digits
    }
}
