import QuakeTestSupport

/// Seeded edits of a plan's text for the loader's fuzz test, by line (delete, duplicate, swap,
/// re-indent, indent with a tab, end every line with CRLF), by token (a YAML-significant character inserted, a value moved
/// from another key or replaced by a hostile one) and by byte (NUL, invalid UTF-8, truncation).
struct PlanTextMutator {
    /// Where values moved between keys come from.
    let corpus: PlanFuzzCorpus

    /// Characters and tokens that mean something to YAML.
    static let significant = [": ", "- ", ":", "-", "[", "]", "{", "}", "\"", "'", "#", " #", "&a ", "*a", "*a: ", "? ", "!", "!!str ", "|", ">", "%", "\t", ",", "@", "`", "\u{0}", "\r", "\u{85}", "\u{2028}", "---\n", "...\n"]

    /// Values of the wrong type, out of range, or spelt in ways the loader must refuse or read with care.
    static let hostileValues = [
        "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "-1", "0", "-0",
        ".nan", ".inf", "-.inf", "0x7FFFFFFFFFFFFFFF", "0o777", "1_000", "+5", "-5m", "0s", "1h-30m", "5m5m", "99999999999h",
        "0.0000001ms", "1e9s", "500/ms", "-500/s", "0/s", "1e400/s", "150%", "-5%", "NaN%", "%", "1e400%",
        "[a, b]", "{x: 1}", "[]", "{}", "true", "no", "null", "~", "\"\"", "''",
        "&anchor value", "*anchor", "*undefined", "!!binary aGVsbG8=", "!!int x", "!!float x", "!custom x", "!!map {}", "!!timestamp 2024-13-45",
        "|\n  block text", ">-\n  folded text", String(repeating: "x", count: 3000), "é日本🙂\u{202E}rtl", "\"\\u0000\"", "\"\\x\"", "'it''s'",
        "region1/cluster1/a/extra", "region1//a", "/", "a/b/c", ">= 99.5% within", ">=", "successRatio(", "latency(frontend, p100)",
        "successRatio(frontend) < 80% for", "Sat 25:00-03:00 Europe/Berlin", "Mon-Fri 02:00-05:00 Mars/Olympus",
    ]

    /// Edits of single bytes: NUL, a lone CR, bytes that are not UTF-8, a byte order mark's parts.
    static let bytes = ByteMutator(alphabet: Array(":-[]{}\"'#&*!|>%\t\n ,?@`0123456789aZ".utf8) + [0x00, 0x0D, 0xC3, 0xA9, 0xFF, 0x80, 0xEF, 0xBB, 0xBF])

    /// `text` with one to three edits.
    func mutate(_ text: String, using rng: inout SeededGenerator) -> [UInt8] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var bytes: [UInt8]?
        var newline = "\n"
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let i = Int.random(in: 0..<max(1, lines.count), using: &rng)
            guard lines.indices.contains(i) else { break }
            let edit = Int.random(in: 0..<11, using: &rng)
            switch edit {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2: lines.swapAt(i, Int.random(in: 0..<lines.count, using: &rng))
            case 3:
                let spaces = lines[i].prefix { $0 == " " }.count
                let indent = max(0, spaces + Int.random(in: -2...2, using: &rng))
                lines[i] = String(repeating: " ", count: indent) + lines[i].dropFirst(spaces)
            case 4: lines[i] = "\t" + lines[i].drop { $0 == " " }
            case 5:
                let at = lines[i].index(lines[i].startIndex, offsetBy: Int.random(in: 0...lines[i].count, using: &rng))
                lines[i].insert(contentsOf: Self.significant.randomElement(using: &rng) ?? "", at: at)
            case 6, 7:
                guard let colon = lines[i].firstRange(of: ": ") else { continue }
                let moved = corpus.values.randomElement(using: &rng)
                let value = edit == 6 ? moved : Self.hostileValues.randomElement(using: &rng)
                lines[i] = lines[i][..<colon.upperBound] + (value ?? "")
            case 8: newline = "\r\n"
            case 9: bytes = Array(lines.joined(separator: newline).utf8.prefix(Int.random(in: 0...text.utf8.count, using: &rng)))
            default: bytes = Self.bytes.mutate(Array(lines.joined(separator: newline).utf8), using: &rng)
            }
            if bytes != nil { break }
        }
        return bytes ?? Array(lines.joined(separator: newline).utf8)
    }
}
