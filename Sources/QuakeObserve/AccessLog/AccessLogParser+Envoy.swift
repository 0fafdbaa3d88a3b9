import QuakeCore

/// A fast path for Envoy's default text format: one pass over the line with no backtracking,
/// taking the same first choice for each field that the general matcher tries first.
///
/// When every field fits at that first choice the line is read here, and the record is the one
/// the general matcher and `record(_:)` would give (the same fields, values and interned symbols,
/// interned in the same order). Anything else — a space in the path, a quote in a header before
/// the user agent, a value that does not convert — returns nil, and the general path reads the
/// line again and gives the record or the error.
extension AccessLogParser {
    /// The record of `line` (no newline, no carriage return) in Envoy's default format, or nil to
    /// leave the line to the general path.
    @inline(never)
    mutating func envoyDefaultRecord(_ line: UnsafeBufferPointer<UInt8>) -> AccessLogRecord? {
        guard let b = line.baseAddress else { return nil }
        let n = line.count
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
        guard n > 32, b[n - 1] == quote else { return nil }
        let isQuote = { (word: UInt64) in AccessLogBytes.equal(word, quote) }

        // From the right: "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
        let host = AccessLogBytes.last(b, from: 0, to: n - 1, AccessLogBytes.nonToken) + 1
        guard Self.isQuoteSpaceQuote(b, before: host) else { return nil }
        let authorityEnd = host - 3
        let authority = AccessLogBytes.last(b, from: 0, to: authorityEnd, isQuote) + 1
        guard Self.isQuoteSpaceQuote(b, before: authority) else { return nil }
        let id = AccessLogBytes.last(b, from: 0, to: authority - 3, isQuote) + 1
        guard Self.isQuoteSpaceQuote(b, before: id) else { return nil }
        // The user agent takes everything between `"%REQ(X-FORWARDED-FOR)%" "` and here.
        let limit = id - 3

        // From the left: [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
        guard limit > 28, b[0] == UInt8(ascii: "["), b[11] == UInt8(ascii: "T"), b[25] == UInt8(ascii: "]"), b[26] == space, b[27] == quote,
              let start = timeCache.time(UnsafeBufferPointer(start: b + 1, count: 24))
        else { return nil }
        // The common method and protocol are checked whole; any other is scanned for.
        let raw = UnsafeRawPointer(b)
        var i = 31
        if raw.loadUnaligned(fromByteOffset: 28, as: UInt32.self) != Self.get {
            i = AccessLogBytes.first(b, from: 28, to: limit, AccessLogBytes.nonToken)
            guard i < limit, b[i] == space else { return nil }
        }
        i = AccessLogBytes.first(b, from: i + 1, to: limit, { AccessLogBytes.equal($0, space) }) + 1
        if i + 10 <= limit, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == Self.http11, b[i + 8] == quote, b[i + 9] == space {
            i += 10
        } else {
            guard i < limit else { return nil }
            i = AccessLogBytes.first(b, from: i, to: limit, AccessLogBytes.nonToken)
            guard i + 2 <= limit, b[i] == quote, b[i + 1] == space else { return nil }
            i += 2
        }

        // %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "
        guard i + 12 < limit else { return nil }
        var status: Int
        let c0 = b[i] &- 48, c1 = b[i + 1] &- 48, c2 = b[i + 2] &- 48
        if c0 < 10, c1 < 10, c2 < 10, b[i + 3] == space {
            status = Int(c0) * 100 + Int(c1) * 10 + Int(c2)
            i += 4
        } else {
            let code = i
            while i < limit, Self.isNumber(b[i]) { i += 1 }
            guard i < limit, b[i] == space, let value = Self.statusCode(b + code, i - code) else { return nil }
            status = value
            i += 1
        }
        let flags = i
        if b[i] == UInt8(ascii: "-"), b[i + 1] == space {
            i += 1
        } else {
            while i < limit, Self.isFlag(b[i]) { i += 1 }
            guard i < limit, b[i] == space else { return nil }
        }
        let flagsEnd = i
        i += 1
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        guard i < limit, b[i] == space else { return nil }
        i += 1
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        guard i < limit, b[i] == space else { return nil }
        i += 1
        let duration = i
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        let durationEnd = i
        guard i < limit, b[i] == space else { return nil }
        i += 1
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        guard i + 2 <= limit, b[i] == space, b[i + 1] == quote else { return nil }
        i += 2

        // "%REQ(X-FORWARDED-FOR)%" " then the user agent up to `limit`.
        let e = AccessLogBytes.first(b, from: i, to: limit, isQuote)
        guard e + 3 <= limit, b[e + 1] == space, b[e + 2] == quote else { return nil }

        // The values, converted as `record(_:)` converts them.
        var flagText = AccessLogSymbol.none
        var flagSet: ResponseFlags = []
        let flagBytes = UnsafeBufferPointer(start: b + flags, count: flagsEnd - flags)
        if !Self.isNone(flagBytes) {
            guard AccessLogValue.isFlagList(flagBytes) else { return nil }
            flagText = symbols.intern(flagBytes)
            flagSet = self.flagSet(flagText)
        }
        var ms: Int64?
        let durationBytes = UnsafeBufferPointer(start: b + duration, count: durationEnd - duration)
        if !Self.isNone(durationBytes) {
            guard durationBytes.count <= 12, let value = AccessLogValue.integer(durationBytes) else { return nil }
            ms = value * 1000
        }
        let upstreamHost: AccessLogSymbol, authoritySymbol: AccessLogSymbol
        let pair = UnsafeBufferPointer(start: b + authority, count: n - 1 - authority)
        if let known = pairs.existing(pair) {
            (authoritySymbol, upstreamHost) = pairSymbols[Int(known.rawValue) - 1]
        } else {
            let hostBytes = UnsafeBufferPointer(start: b + host, count: n - 1 - host)
            upstreamHost = Self.isNone(hostBytes) ? AccessLogSymbol.none : symbols.intern(hostBytes)
            let authorityBytes = UnsafeBufferPointer(start: b + authority, count: authorityEnd - authority)
            authoritySymbol = Self.isNone(authorityBytes) ? AccessLogSymbol.none : symbols.intern(authorityBytes)
            if pairSymbols.count < Self.maxPairs, pair.count <= Self.maxPairLength {
                _ = pairs.intern(pair)
                pairSymbols.append((authoritySymbol, upstreamHost))
            }
        }
        return AccessLogRecord(
            start: start, duration: ms, status: status, flags: flagSet, flagText: flagText,
            upstreamHost: upstreamHost, upstreamCluster: .none, authority: authoritySymbol
        )
    }

    /// `GET ` and `HTTP/1.1` as little-endian words.
    private static let get = UInt32(0x2054_4547)
    private static let http11 = UInt64(0x312E_312F_5054_5448)

    /// A value Envoy left out: empty or `-`.
    @inline(__always)
    private static func isNone(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { bytes.isEmpty || AccessLogValue.isDash(bytes) }

    /// A response code of one to three digits, or 0 for `-`; nil for anything else (left to the general path).
    @inline(__always)
    private static func statusCode(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        if count == 1, p[0] == AccessLogValue.dash { return 0 }
        guard count >= 1, count <= 3 else { return nil }
        var v = 0
        for k in 0..<count {
            let d = p[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Whether the three bytes before `end` are `" "`.
    @inline(__always)
    private static func isQuoteSpaceQuote(_ b: UnsafePointer<UInt8>, before end: Int) -> Bool {
        end >= 3 && b[end - 1] == UInt8(ascii: "\"") && b[end - 2] == UInt8(ascii: " ") && b[end - 3] == UInt8(ascii: "\"")
    }

    /// `AccessLogField.ByteClass.number`: digits and `-`.
    @inline(__always)
    private static func isNumber(_ c: UInt8) -> Bool { c &- 48 < 10 || c == UInt8(ascii: "-") }

    /// `AccessLogField.ByteClass.flags`: upper-case letters, `,` and `-`.
    @inline(__always)
    private static func isFlag(_ c: UInt8) -> Bool { c &- 65 < 26 || c == UInt8(ascii: ",") || c == UInt8(ascii: "-") }
}
