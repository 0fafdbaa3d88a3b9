/// Where the values, members and keys of valid JSON text are (a sequence of documents, such as
/// JSON lines, included), for edits that keep the rest of the text as it is.
struct JSONSpans {
    /// One value, with its member and key when it is the value of an object member.
    struct Span {
        var value: Range<Int>
        var member: Range<Int>?
        var key: Range<Int>?
    }

    private let bytes: [UInt8]
    private var i = 0
    /// Every value found, outermost first.
    private(set) var spans: [Span] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Finds every value of the text; stops at the first byte that is not valid JSON.
    mutating func scan() {
        skipSpace()
        while i < bytes.count, value() != nil { skipSpace() }
    }

    /// The end of the value at `i` after recording it (and its members' and elements'), or nil.
    private mutating func value(member: Int? = nil, key: Range<Int>? = nil) -> Int? {
        let start = i
        let slot = spans.count
        spans.append(Span(value: start..<start))
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            while i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                let memberStart = i
                guard let keyEnd = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                guard value(member: memberStart, key: memberStart..<keyEnd) != nil else { return nil }
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; skipSpace() }
            }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else { return nil }
            i += 1
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            while i < bytes.count, bytes[i] != UInt8(ascii: "]") {
                guard value() != nil else { return nil }
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; skipSpace() }
            }
            guard i < bytes.count else { return nil }
            i += 1
        case UInt8(ascii: "\""):
            guard string() != nil else { return nil }
        default:
            // A number or a literal: up to the next delimiter.
            while i < bytes.count, !",]} \t\r\n".utf8.contains(bytes[i]) { i += 1 }
        }
        spans[slot] = Span(value: start..<i, member: member.map { $0..<i }, key: key)
        return i
    }

    /// The end of the string at `i` (on its opening quote), or nil when it is not closed.
    private mutating func string() -> Int? {
        i += 1
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
        guard i < bytes.count else { return nil }
        i += 1
        return i
    }

    private mutating func skipSpace() {
        while i < bytes.count, " \t\r\n".utf8.contains(bytes[i]) { i += 1 }
    }
}
