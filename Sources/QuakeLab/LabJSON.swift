import QuakeCore

/// A JSON value whose objects keep their keys in the order they were written, rendered
/// deterministically: the generated Envoy and Prometheus configurations read in the same order
/// as the proto documentation, and the same plan gives the same bytes.
///
/// Envoy and Prometheus read these files as YAML, of which JSON is a subset.
enum LabJSON: Sendable, Equatable {
    case object([(String, LabJSON)])
    case array([LabJSON])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    static func == (a: LabJSON, b: LabJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// A protobuf `Duration` in its JSON spelling: seconds with up to six decimals and an `s`
    /// (`0.5s`, `10s`); negative spans become `0s`.
    static func duration(_ span: TimeSpan) -> LabJSON {
        let us = max(0, span.microseconds)
        let whole = us / 1_000_000
        let fraction = us % 1_000_000
        guard fraction > 0 else { return .string("\(whole)s") }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return .string("\(whole).\(digits)s")
    }

    /// The text, indented by two spaces per level, with a final newline.
    func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case let .object(members):
            guard !members.isEmpty else { out.append("{}"); return }
            out.append("{\n")
            for (i, (key, value)) in members.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                Self.quote(key, to: &out)
                out.append(": ")
                value.write(to: &out, indent: indent + 2)
                out.append(i == members.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("}")
        case let .array(items):
            guard !items.isEmpty else { out.append("[]"); return }
            out.append("[\n")
            for (i, item) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                item.write(to: &out, indent: indent + 2)
                out.append(i == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("]")
        case let .string(s): Self.quote(s, to: &out)
        case let .int(n): out.append(String(n))
        case let .double(d):
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 { out.append(String(Int(d))) } else { out.append(d.isFinite ? String(d) : "0") }
        case let .bool(b): out.append(b ? "true" : "false")
        case .null: out.append("null")
        }
    }

    private static func quote(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }
}
