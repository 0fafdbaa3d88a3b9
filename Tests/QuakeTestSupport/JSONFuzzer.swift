import Foundation

/// Seeded JSON inputs for the fuzz tests of Quake's JSON readers: valid documents of a reader's
/// shape with one value or member edited (a value of another type, a huge or odd number, a deep
/// nest, a member dropped, duplicated or renamed), byte-level mutations of them, and generated
/// documents that use the reader's keys.
public struct JSONFuzzer: Sendable {
    /// Valid documents of the reader's shape.
    public var seeds: [String]
    /// The keys the reader knows, so that generated and renamed members often hit them.
    public var keys: [String]

    /// A fuzzer over `seeds` (valid JSON of the reader's shape, or JSON lines) that names members with `keys`.
    public init(seeds: [String], keys: [String]) {
        precondition(!seeds.isEmpty && !keys.isEmpty, "a JSON fuzzer needs seeds and keys")
        self.seeds = seeds
        self.keys = keys
    }

    /// Bytes that matter to JSON, and some that never should appear in it.
    static let bytes = ByteMutator(alphabet: Array("{}[]\":,\\/ \t0123456789-+.eEtrufalsn".utf8) + [0x00, 0x0A, 0x0D, 0x7F, 0xC3, 0xA9, 0xFF, 0xED, 0xA0])

    /// Scalars a reader must refuse or read with care.
    static let oddScalars = [
        "0", "-0", "1", "-1", "0.5", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1.7976931348623157e308", "4.9e-324", "1E2", "01", "1.", ".5",
        "+1", "NaN", "Infinity", "true", "false", "null", "\"\"", "\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"1e400\"", "\"not a number\"",
        "\"2024-05-01T12:00:00Z\"", "\"2024-13-45T99:99:99Z\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uD83D\\uDE00\"", "\"\\x41\"",
        "\"caf\\u00e9\"", "\"é日本🙂\"", "\"\\\"quoted\\\"\"", "\"a\\nb\"", "[]", "{}", "[null]", "{\"\": null}",
    ]

    /// The next input drawn from `rng`: an edited seed (half the time), a byte mutation of a seed
    /// or of an edited one, or a generated document.
    func input(using rng: inout SeededGenerator) -> [UInt8] {
        let seed = seeds.randomElement(using: &rng) ?? "{}"
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<10: return Array(edit(seed, using: &rng).utf8)
        case 10..<14: return Self.bytes.mutate(Array(seed.utf8), using: &rng)
        case 14..<17: return Self.bytes.mutate(Array(edit(seed, using: &rng).utf8), using: &rng)
        default: return Array(value(depth: Int.random(in: 0...4, using: &rng), using: &rng).utf8)
        }
    }

    /// `document` with one value or member edited.
    func edit(_ document: String, using rng: inout SeededGenerator) -> String {
        let bytes = Array(document.utf8)
        var scanner = JSONSpans(bytes)
        scanner.scan()
        let spans = scanner.spans
        guard let span = spans.randomElement(using: &rng) else { return document }
        let value = String(decoding: bytes[span.value], as: UTF8.self)
        let replaced: (Range<Int>, String)
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1: replaced = (span.value, self.value(depth: Int.random(in: 0...2, using: &rng), using: &rng))
        case 2: replaced = (span.value, Self.oddScalars.randomElement(using: &rng) ?? "")
        case 3: replaced = (span.value, Bool.random(using: &rng) ? "[\(value)]" : "{\"\(key(using: &rng))\": \(value)}")
        case 4: replaced = (span.value, deepNest(around: value, using: &rng))
        case 5:
            guard let member = span.member else { return document }
            replaced = (member.upperBound..<member.upperBound, ", " + String(decoding: bytes[member], as: UTF8.self))
        case 6:
            guard let member = span.member else { return document }
            // The member and the comma after it, or before it when it is the last.
            let after = bytes[member.upperBound...].firstIndex { $0 != 0x20 && $0 != 0x0A }
            if let after, bytes[after] == UInt8(ascii: ",") {
                replaced = (member.lowerBound..<after + 1, "")
            } else if let before = bytes[..<member.lowerBound].lastIndex(where: { $0 != 0x20 && $0 != 0x0A }), bytes[before] == UInt8(ascii: ",") {
                replaced = (before..<member.upperBound, "")
            } else {
                replaced = (member, "")
            }
        default:
            guard let key = span.key else { return document }
            replaced = (key, string(Bool.random(using: &rng) ? self.key(using: &rng) : text(using: &rng)))
        }
        var out = bytes
        out.replaceSubrange(replaced.0, with: Array(replaced.1.utf8))
        return String(decoding: out, as: UTF8.self)
    }

    /// A generated value up to `depth` levels deep, its objects keyed mostly with the reader's keys.
    func value(depth: Int, using rng: inout SeededGenerator) -> String {
        let kind = depth == 0 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<7, using: &rng)
        switch kind {
        case 0: return Self.oddScalars.randomElement(using: &rng) ?? "null"
        case 1: return string(text(using: &rng))
        case 2: return String(Double.random(in: -1e6...1e6, using: &rng))
        case 3: return String(Int.random(in: -1000...100_000, using: &rng))
        case 4: return "[" + (0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth - 1, using: &rng) }.joined(separator: ",") + "]"
        case 5: return deepNest(around: value(depth: 0, using: &rng), using: &rng)
        default:
            // Members may repeat a key: readers must pick one, or refuse, without crashing.
            let members = (0..<Int.random(in: 0...5, using: &rng)).map { _ in "\(string(key(using: &rng))): \(value(depth: depth - 1, using: &rng))" }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    /// `inner` inside 100 to 1,100 levels of arrays or objects (Foundation's parser refuses past 512).
    private func deepNest(around inner: String, using rng: inout SeededGenerator) -> String {
        let depth = Int.random(in: 100...1_100, using: &rng)
        return Bool.random(using: &rng)
            ? String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
            : String(repeating: "{\"a\":", count: depth) + inner + String(repeating: "}", count: depth)
    }

    private func key(using rng: inout SeededGenerator) -> String {
        Int.random(in: 0..<5, using: &rng) == 0 ? text(using: &rng) : keys.randomElement(using: &rng) ?? ""
    }

    private func text(using rng: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "0", " ", "é", "日", "🙂", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "%", "-"]
        // Now and then a text of 100,000 characters.
        guard Int.random(in: 0..<200, using: &rng) > 0 else { return String(repeating: "x", count: 100_000) }
        return (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
    }

    /// `text` as a JSON string, escaped as Foundation's writer escapes it.
    private func string(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
