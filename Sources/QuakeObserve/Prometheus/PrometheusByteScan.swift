/// Finds delimiter bytes eight at a time (SWAR: a 64-bit word compared with each delimiter at
/// once), for the long names and label values of the text format.
enum PrometheusByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// A word whose high bit is set in the lowest byte of `word` equal to `byte` (higher bits may be
    /// spurious, the lowest one is exact).
    @inline(__always)
    private static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs
    }

    /// The index of the first byte in `from..<end` equal to `a`, `b` or `c`, or `end`.
    @inline(__always)
    static func first(_ p: UnsafePointer<UInt8>, from: Int, end: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        while i + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let found = matches(word, a) | matches(word, b) | matches(word, c)
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end, p[i] != a, p[i] != b, p[i] != c { i += 1 }
        return i
    }

    /// The index of the first byte in `from..<end` equal to `a` or `b`, or `end`.
    @inline(__always)
    static func first(_ p: UnsafePointer<UInt8>, from: Int, end: Int, _ a: UInt8, _ b: UInt8) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        while i + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let found = matches(word, a) | matches(word, b)
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end, p[i] != a, p[i] != b { i += 1 }
        return i
    }
}
