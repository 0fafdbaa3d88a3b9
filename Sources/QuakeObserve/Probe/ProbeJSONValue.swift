/// A JSON document as a probe reads it: enough to follow a dotted path and compare the value
/// found there with the text a plan expects.
enum ProbeJSONValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([ProbeJSONValue])
    case object([String: ProbeJSONValue])

    /// The value at `path`: keys of objects and indexes of arrays separated by dots, such as
    /// `status.indicator` or `items.0.name`; the whole document for an empty path.
    func value(at path: String) -> ProbeJSONValue? {
        guard !path.isEmpty else { return self }
        var current = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let fields):
                guard let next = fields[String(segment)] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(segment), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Whether the value reads as `text`: a string equal to it, a number equal to the number it
    /// spells, `true`/`false`, or `null`. Objects and arrays never match.
    func matches(_ text: String) -> Bool {
        switch self {
        case .null: text == "null"
        case .bool(let value): text == (value ? "true" : "false")
        case .integer(let value): Int64(text) == value || Double(text) == Double(value)
        case .number(let value): Double(text) == value
        case .string(let value): value == text
        case .array, .object: false
        }
    }

    /// The value as a plan would write it, for failure reasons; objects and arrays by kind only.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }
}
