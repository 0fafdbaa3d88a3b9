#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the numbers of the text format from bytes: sample values and `le`/`quantile` label values
/// as Go's `ParseFloat` spells them in decimal (`NaN`, `+Inf`, `-Inf`, `Inf`, exponents), and
/// timestamps as 64-bit integers.
enum PrometheusNumber {
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value spelled by `count` bytes at `base`, or `nil` if they are not a number.
    ///
    /// Up to 15 significant digits with a small exponent are converted exactly without a library
    /// call; longer ones (Envoy's 32-digit `_sum` values) go through `strtod`, correctly rounded.
    static func double(_ base: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard count > 0 else { return nil }
        var i = 0
        var negative = false
        if base[0] == UInt8(ascii: "+") || base[0] == UInt8(ascii: "-") {
            negative = base[0] == UInt8(ascii: "-")
            i = 1
        }
        if i < count, base[i] | 0x20 == UInt8(ascii: "i") || base[i] | 0x20 == UInt8(ascii: "n") {
            return special(base + i, count - i, negative: negative, signed: i == 1)
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var exponent = 0
        while i < count, base[i] &- UInt8(ascii: "0") < 10 {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(base[i] &- UInt8(ascii: "0"))
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
            }
            digits += 1
            i += 1
        }
        if i < count, base[i] == UInt8(ascii: ".") {
            i += 1
            while i < count, base[i] &- UInt8(ascii: "0") < 10 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(base[i] &- UInt8(ascii: "0"))
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < count, base[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
                exponentNegative = base[i] == UInt8(ascii: "-")
                i += 1
            }
            var written = 0
            var exponentDigits = 0
            while i < count, base[i] &- UInt8(ascii: "0") < 10 {
                if written < 100_000 { written = written * 10 + Int(base[i] &- UInt8(ascii: "0")) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard i == count else { return nil }
        if significant <= 15 && exponent >= -22 && exponent <= 22 {
            let magnitude = Double(mantissa)
            let value = exponent >= 0 ? magnitude * exactPowers[exponent] : magnitude / exactPowers[-exponent]
            return negative ? -value : value
        }
        return library(base, count)
    }

    /// `NaN`, `Inf` or `Infinity` in any case after an optional sign (none allowed before `NaN`).
    private static func special(_ base: UnsafePointer<UInt8>, _ count: Int, negative: Bool, signed: Bool) -> Double? {
        func matches(_ word: StaticString) -> Bool {
            guard count == word.utf8CodeUnitCount else { return false }
            for k in 0..<count where base[k] | 0x20 != word.utf8Start[k] { return false }
            return true
        }
        if matches("inf") || matches("infinity") { return negative ? -.infinity : .infinity }
        if !signed && matches("nan") { return .nan }
        return nil
    }

    /// `strtod` on a NUL-terminated copy of an already validated decimal number.
    private static func library(_ base: UnsafePointer<UInt8>, _ count: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for k in 0..<count { buffer[k] = CChar(bitPattern: base[k]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// The integer spelled by `count` bytes at `base` (an optional sign, then digits), or `nil`
    /// if they are not one or it does not fit in 64 bits.
    static func int64(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
        var i = 0
        var negative = false
        if count > 0, base[0] == UInt8(ascii: "+") || base[0] == UInt8(ascii: "-") {
            negative = base[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < count else { return nil }
        var magnitude: UInt64 = 0
        while i < count {
            let digit = base[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(digit))
            guard !overflowTimes, !overflowSum else { return nil }
            magnitude = sum
            i += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
