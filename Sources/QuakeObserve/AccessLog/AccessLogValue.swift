/// Reads the values of access-log fields straight from UTF-8 bytes, without making strings.
enum AccessLogValue {
    static let dash = UInt8(ascii: "-")

    /// Whether a field is Envoy's `-` (no value).
    @inline(__always)
    static func isDash(_ b: UnsafeBufferPointer<UInt8>) -> Bool { b.count == 1 && b[0] == dash }

    /// A non-negative decimal integer of at most 18 digits; nil otherwise.
    @inline(__always)
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty, b.count <= 18 else { return nil }
        var v: Int64 = 0
        for c in b {
            let d = c &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        return v
    }

    /// A non-negative decimal with an optional fraction, scaled by `scale` (1000 for ms → µs,
    /// 1 000 000 for s → µs) and truncated; nil when it is not such a number or is out of range.
    static func scaled(_ b: UnsafeBufferPointer<UInt8>, scale: Int64) -> Int64? {
        var whole: Int64 = 0, fraction: Int64 = 0, fractionScale = scale
        var i = 0, digits = 0
        while i < b.count, b[i] &- 48 < 10 {
            guard digits < 12 else { return nil }
            whole = whole * 10 + Int64(b[i] &- 48)
            i += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        if i < b.count {
            guard b[i] == UInt8(ascii: "."), i + 1 < b.count else { return nil }
            i += 1
            while i < b.count {
                let d = b[i] &- 48
                guard d < 10 else { return nil }
                if fractionScale >= 10 {
                    fractionScale /= 10
                    fraction += Int64(d) * fractionScale
                }
                i += 1
            }
        }
        return whole * scale + fraction
    }

    /// A time as µs since the epoch: ISO 8601 (`2024-05-01T12:00:00.123Z`, any fraction, `Z` or
    /// `±hh:mm`), or decimal seconds since the epoch (`%START_TIME(%s.%3f)%`).
    static func time(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count >= 19, b[4] == dash else { return scaled(b, scale: 1_000_000) }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<from + count {
                let d = b[i] &- 48
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard b[7] == dash, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...99).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        // The model writes virtual days past the 31st as 1970-01-32 and on, so a day of up to 99 is read as an offset.
        var us = (days(year: year, month: month) + day - 1) * 86_400_000_000 + (hour * 3600 + minute * 60 + second) * 1_000_000
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 1_000_000, digits = 0
            while i < b.count, b[i] &- 48 < 10 {
                if scale >= 10 {
                    scale /= 10
                    us += Int64(b[i] &- 48) * scale
                }
                i += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
        }
        guard i < b.count else { return us }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count ? us : nil }
        guard b[i] == UInt8(ascii: "+") || b[i] == dash else { return nil }
        let sign: Int64 = b[i] == dash ? -1 : 1
        let rest = b.count - i - 1
        guard rest == 5 || rest == 4, let hh = number(i + 1, 2), hh < 24 else { return nil }
        let mmAt = rest == 5 ? i + 4 : i + 3
        guard rest == 4 || b[i + 3] == UInt8(ascii: ":"), let mm = number(mmAt, 2), mm < 60 else { return nil }
        return us - sign * (hh * 3600 + mm * 60) * 1_000_000
    }

    /// Days from 1970-01-01 to the first of a month (proleptic Gregorian).
    static func days(year: Int64, month: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Whether a flags field is `-` or upper-case names joined by commas (`URX,UF`).
    static func isFlagList(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if isDash(b) { return true }
        var previousLetter = false
        for c in b {
            if c &- UInt8(ascii: "A") < 26 {
                previousLetter = true
            } else if c == UInt8(ascii: ","), previousLetter {
                previousLetter = false
            } else {
                return false
            }
        }
        return previousLetter
    }
}
