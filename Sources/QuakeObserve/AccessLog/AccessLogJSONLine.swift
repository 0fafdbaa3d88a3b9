/// Reads the fields Quake needs from one JSON access-log line (an object per line, as Envoy's
/// `json_format` and Quake's lab and model write it), straight from the bytes. Keys may come in
/// any order; numbers may be numbers or strings; null means no value; other keys are skipped.
struct AccessLogJSONLine {
    let line: UnsafeBufferPointer<UInt8>
    /// Room for strings with escapes, at least as long as the line (an unescaped string is never longer).
    let scratch: UnsafeMutableBufferPointer<UInt8>
    var used = 0
    var i = 0
    var raw = AccessLogRawFields()

    /// The keys Quake reads, with the field each one fills.
    static let keys: [(key: [UInt8], role: AccessLogField.Role)] = {
        let names: [(String, AccessLogField.Role)] = [
            ("start_time", .startTime), ("start", .startTime), ("timestamp", .startTime), ("@timestamp", .startTime),
            ("code", .responseCode), ("response_code", .responseCode), ("status", .responseCode),
            ("flags", .responseFlags), ("response_flags", .responseFlags),
            ("duration_ms", .duration), ("duration", .duration),
            ("upstream_host", .upstreamHost), ("upstream_cluster", .upstreamCluster), ("upstream_cluster_raw", .upstreamCluster),
            ("authority", .authority), (":authority", .authority),
        ]
        return names.map { (Array($0.0.utf8), $0.1) }
    }()

    init(line: UnsafeBufferPointer<UInt8>, scratch: UnsafeMutableBufferPointer<UInt8>) {
        precondition(scratch.count >= line.count, "scratch shorter than the line")
        self.line = line
        self.scratch = scratch
    }

    /// The fields of the line; throws `.malformed` with the reason when it is not one JSON object.
    mutating func decode() throws(ObserveError) -> AccessLogRawFields {
        skipSpace()
        try expect(UInt8(ascii: "{"), "a JSON line must be an object")
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"), "expected `:` after a key")
                skipSpace()
                if let role = Self.role(of: key) { try value(for: role) } else { try skipValue(depth: 0) }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}"), "expected `,` or `}`")
                break
            }
        }
        skipSpace()
        guard i == line.count else { throw fail("text after the object") }
        return raw
    }

    private var peek: UInt8? { i < line.count ? line[i] : nil }

    private func fail(_ reason: String) -> ObserveError {
        ObserveError(code: .malformed, message: "\(reason) at column \(i + 1)")
    }

    /// A byte as a message shows it, after `prefix`: in backquotes when it is printable ASCII, else
    /// by its value (a byte of a UTF-8 sequence is no character of its own, and a control byte
    /// would break the message's line).
    private static func shown(_ byte: UInt8, after prefix: String = "") -> String {
        guard (0x21...0x7E).contains(byte) else {
            return (prefix.isEmpty ? "" : "`\(prefix)` before ") + "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
        return "`\(prefix)\(Character(Unicode.Scalar(byte)))`"
    }

    private mutating func skipSpace() {
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ reason: String) throws(ObserveError) {
        guard peek == byte else { throw fail(reason) }
        i += 1
    }

    private static func role(of key: UnsafeBufferPointer<UInt8>) -> AccessLogField.Role? {
        for entry in keys where entry.key.count == key.count && entry.key.elementsEqual(key) { return entry.role }
        return nil
    }

    /// A value for a field Quake reads: a string, a number or null.
    private mutating func value(for role: AccessLogField.Role) throws(ObserveError) {
        guard let c = peek else { throw fail("missing value") }
        if c == UInt8(ascii: "\"") {
            raw.set(role, try string())
        } else if c == UInt8(ascii: "n") {
            try word("null")
            raw.set(role, UnsafeBufferPointer(rebasing: line[i..<i]))
        } else if c == UInt8(ascii: "-") || c &- 48 < 10 {
            raw.set(role, number())
        } else {
            throw fail("a value Quake reads must be a string, a number or null")
        }
    }

    private mutating func word(_ text: StaticString) throws(ObserveError) {
        let count = text.utf8CodeUnitCount
        guard i + count <= line.count else { throw fail("unknown literal") }
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: count)
        guard UnsafeBufferPointer(rebasing: line[i..<i + count]).elementsEqual(expected) else { throw fail("unknown literal") }
        i += count
    }

    private mutating func number() -> UnsafeBufferPointer<UInt8> {
        let start = i
        while i < line.count, line[i] &- 48 < 10 || line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: ".") || line[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
        }
        return UnsafeBufferPointer(rebasing: line[start..<i])
    }

    /// A string at `i` (on its opening quote): its bytes in the line, or unescaped into the scratch space.
    private mutating func string() throws(ObserveError) -> UnsafeBufferPointer<UInt8> {
        i += 1
        let start = i
        while i < line.count, line[i] != UInt8(ascii: "\""), line[i] != UInt8(ascii: "\\") {
            guard line[i] >= 0x20 else { throw fail("a control byte inside a string") }
            i += 1
        }
        guard i < line.count else { throw fail("a string is not closed") }
        if line[i] == UInt8(ascii: "\"") {
            i += 1
            return UnsafeBufferPointer(rebasing: line[start..<i - 1])
        }
        let outStart = used
        for b in line[start..<i] { put(b) }
        while true {
            guard i < line.count else { throw fail("a string is not closed") }
            let c = line[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            guard c >= 0x20 else { throw fail("a control byte inside a string") }
            guard c == UInt8(ascii: "\\") else { put(c); continue }
            guard i < line.count else { throw fail("a string is not closed") }
            let e = line[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): put(e)
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"): try unicodeEscape()
            default: throw fail("unknown escape \(Self.shown(e, after: "\\"))")
            }
        }
        return UnsafeBufferPointer(rebasing: scratch[outStart..<used])
    }

    @inline(__always)
    private mutating func put(_ b: UInt8) {
        scratch[used] = b
        used += 1
    }

    private mutating func hex4() throws(ObserveError) -> UInt32 {
        guard i + 4 <= line.count else { throw fail("a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = line[i] | 0x20
            let d: UInt8
            if c &- 48 < 10 { d = c &- 48 } else if c &- 97 < 6 { d = c &- 87 } else { throw fail("a \\u escape needs four hex digits") }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// `\uXXXX` (a surrogate pair when needed), written as UTF-8; never longer than its escape.
    private mutating func unicodeEscape() throws(ObserveError) {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard i + 2 <= line.count, line[i] == UInt8(ascii: "\\"), line[i + 1] == UInt8(ascii: "u") else { throw fail("a lone surrogate escape") }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw fail("a lone surrogate escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
        for b in UTF8.encode(unicode) ?? UTF8.EncodedScalar() { put(b) }
    }

    /// Skips any value: a string, number, literal, object or array (nested at most 64 deep).
    private mutating func skipValue(depth: Int) throws(ObserveError) {
        guard depth < 64 else { throw fail("nested too deep") }
        guard let c = peek else { throw fail("missing value") }
        switch c {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try word("true")
        case UInt8(ascii: "f"): try word("false")
        case UInt8(ascii: "n"): try word("null")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipSpace()
            if peek == close { i += 1; return }
            while true {
                skipSpace()
                if close == UInt8(ascii: "}") {
                    guard peek == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                    _ = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "expected `:` after a key")
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(close, "expected `,` or `\(Character(Unicode.Scalar(close)))`")
                return
            }
        default:
            guard c == UInt8(ascii: "-") || c &- 48 < 10 else { throw fail("unexpected \(Self.shown(c))") }
            _ = number()
        }
    }
}
