import Foundation
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
    @inline(__always)
    mutating func envoyDefaultRecord(_ line: UnsafeBufferPointer<UInt8>) -> AccessLogRecord? {
        guard let b = line.baseAddress else { return nil }
        let n = line.count
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
        guard n > 32, b[n - 1] == quote else { return nil }

        // From the right: "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
        var host = n - 1
        while host > 0, Self.isToken(b[host - 1]) { host -= 1 }
        guard Self.isQuoteSpaceQuote(b, before: host) else { return nil }
        let authorityEnd = host - 3
        guard let authorityQuote = Self.lastQuote(b, before: authorityEnd), Self.isQuoteSpaceQuote(b, before: authorityQuote + 1) else { return nil }
        let authority = authorityQuote + 1
        guard let idQuote = Self.lastQuote(b, before: authority - 3), Self.isQuoteSpaceQuote(b, before: idQuote + 1) else { return nil }
        // The user agent takes everything between `"%REQ(X-FORWARDED-FOR)%" "` and here.
        let limit = idQuote - 2

        // From the left: [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
        guard limit > 28, b[0] == UInt8(ascii: "["), b[11] == UInt8(ascii: "T"), b[25] == UInt8(ascii: "]"), b[26] == space, b[27] == quote,
              let start = timeCache.time(UnsafeBufferPointer(start: b + 1, count: 24))
        else { return nil }
        var i = 28
        while i < limit, Self.isToken(b[i]) { i += 1 }
        guard i < limit, b[i] == space else { return nil }
        i += 1
        guard let pathEnd = memchr(b + i, Int32(space), limit - i) else { return nil }
        i = UnsafePointer(pathEnd.assumingMemoryBound(to: UInt8.self)) - b + 1
        while i < limit, Self.isToken(b[i]) { i += 1 }
        guard i + 2 <= limit, b[i] == quote, b[i + 1] == space else { return nil }
        i += 2

        // %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "
        let code = i
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        let codeEnd = i
        guard i < limit, b[i] == space else { return nil }
        i += 1
        let flags = i
        while i < limit, Self.isFlag(b[i]) { i += 1 }
        let flagsEnd = i
        guard i < limit, b[i] == space else { return nil }
        i += 1
        for _ in 0..<2 {
            while i < limit, Self.isNumber(b[i]) { i += 1 }
            guard i < limit, b[i] == space else { return nil }
            i += 1
        }
        let duration = i
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        let durationEnd = i
        guard i < limit, b[i] == space else { return nil }
        i += 1
        while i < limit, Self.isNumber(b[i]) { i += 1 }
        guard i + 2 <= limit, b[i] == space, b[i + 1] == quote else { return nil }
        i += 2

        // "%REQ(X-FORWARDED-FOR)%" " then the user agent up to `limit`.
        guard i < limit, let forwardedEnd = memchr(b + i, Int32(quote), limit - i) else { return nil }
        let e = UnsafePointer(forwardedEnd.assumingMemoryBound(to: UInt8.self)) - b
        guard e + 3 <= limit, b[e + 1] == space, b[e + 2] == quote else { return nil }

        // The values, converted as `record(_:)` converts them.
        guard let status = Self.statusCode(b + code, codeEnd - code) else { return nil }
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
        let hostBytes = UnsafeBufferPointer(start: b + host, count: n - 1 - host)
        let upstreamHost = Self.isNone(hostBytes) ? AccessLogSymbol.none : symbols.intern(hostBytes)
        let authorityBytes = UnsafeBufferPointer(start: b + authority, count: authorityEnd - authority)
        let authoritySymbol = Self.isNone(authorityBytes) ? AccessLogSymbol.none : symbols.intern(authorityBytes)
        return AccessLogRecord(
            start: start, duration: ms, status: status, flags: flagSet, flagText: flagText,
            upstreamHost: upstreamHost, upstreamCluster: .none, authority: authoritySymbol
        )
    }

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

    /// The last `"` before `end`, eight bytes at a time.
    @inline(__always)
    private static func lastQuote(_ b: UnsafePointer<UInt8>, before end: Int) -> Int? {
        var e = end
        let raw = UnsafeRawPointer(b)
        while e >= 8 {
            let word = raw.loadUnaligned(fromByteOffset: e - 8, as: UInt64.self) ^ 0x2222_2222_2222_2222
            let zero = ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word | 0x7F7F_7F7F_7F7F_7F7F)
            if zero != 0 { return e - 8 + (63 - zero.leadingZeroBitCount) / 8 }
            e -= 8
        }
        while e > 0 {
            e -= 1
            if b[e] == UInt8(ascii: "\"") { return e }
        }
        return nil
    }

    /// `AccessLogField.ByteClass.token`: no space, quote, control byte or DEL.
    @inline(__always)
    private static func isToken(_ c: UInt8) -> Bool { c > 0x20 && c != UInt8(ascii: "\"") && c != 0x7F }

    /// `AccessLogField.ByteClass.number`: digits and `-`.
    @inline(__always)
    private static func isNumber(_ c: UInt8) -> Bool { c &- 48 < 10 || c == UInt8(ascii: "-") }

    /// `AccessLogField.ByteClass.flags`: upper-case letters, `,` and `-`.
    @inline(__always)
    private static func isFlag(_ c: UInt8) -> Bool { c &- 65 < 26 || c == UInt8(ascii: ",") || c == UInt8(ascii: "-") }
}
