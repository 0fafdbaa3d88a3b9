extension ProbeJSONValue {
    /// How many arrays and objects deep a body may nest, as with Foundation's JSON reader.
    static let maxDepth = 512

    /// The JSON document in `body`, or nil when it is not one (trailing text, a bad escape, a
    /// number no `Double` holds, invalid UTF-8, nesting past ``maxDepth``). One pass over the
    /// bytes: `JSONDecoder` tried each type in turn, and every failed try spelt out its coding
    /// path, which made a 500-deep body take over a second.
    init?(json body: some Collection<UInt8>) {
        var reader = Reader(bytes: Array(body))
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        guard reader.i == reader.bytes.count else { return nil }
        self = value
    }

    /// A recursive-descent reader of RFC 8259 JSON.
    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func value(depth: Int) -> ProbeJSONValue? {
            guard depth < ProbeJSONValue.maxDepth else { return nil }
            skipSpace()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(ProbeJSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        private mutating func object(depth: Int) -> ProbeJSONValue? {
            i += 1
            var fields: [String: ProbeJSONValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                // A key given twice: the last one counts, as with JSONDecoder.
                guard let value = value(depth: depth + 1) else { return nil }
                fields[key] = value
                skipSpace()
                guard i < bytes.count else { return nil }
                i += 1
                if bytes[i - 1] == UInt8(ascii: "}") { return .object(fields) }
                guard bytes[i - 1] == UInt8(ascii: ",") else { return nil }
            }
        }

        private mutating func array(depth: Int) -> ProbeJSONValue? {
            i += 1
            var items: [ProbeJSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                guard i < bytes.count else { return nil }
                i += 1
                if bytes[i - 1] == UInt8(ascii: "]") { return .array(items) }
                guard bytes[i - 1] == UInt8(ascii: ",") else { return nil }
            }
        }

        private mutating func literal(_ word: String, _ value: ProbeJSONValue) -> ProbeJSONValue? {
            let utf8 = Array(word.utf8)
            guard bytes.count - i >= utf8.count, bytes[i..<i + utf8.count].elementsEqual(utf8) else { return nil }
            i += utf8.count
            return value
        }

        /// A number as JSONDecoder read it into the value: whole (`Int64`) when it is a whole
        /// number in range, written `1`, `1.0` or `1e2` alike, else a `Double`; nil when it is not
        /// JSON's number grammar or no finite `Double` holds it.
        private mutating func number() -> ProbeJSONValue? {
            let start = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(leadingZero: true) else { return nil }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(leadingZero: false) else { return nil }
            }
            if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(leadingZero: false) else { return nil }
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if let whole = Int64(text) { return .integer(whole) }
            guard let value = Double(text), value.isFinite else { return nil }
            if value.rounded() == value, let whole = Int64(exactly: value) { return .integer(whole) }
            return .number(value)
        }

        /// One or more digits; with `leadingZero`, a first 0 must stand alone (JSON's integer part).
        private mutating func digits(leadingZero: Bool) -> Bool {
            let start = i
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            guard i > start else { return false }
            return !leadingZero || bytes[start] != UInt8(ascii: "0") || i == start + 1
        }

        /// The string at `i` (on its opening quote), unescaped; nil for a control byte, a bad
        /// escape, a lone surrogate, invalid UTF-8 or no closing quote.
        private mutating func string() -> String? {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { return nil }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        out.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: out.append(c)
                }
            }
            return nil
        }

        /// The scalar of `\uXXXX` (after the `u`), a surrogate pair read as one.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
            guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
            i += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - i >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[i])).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
                i += 1
            }
            return value
        }
    }
}
