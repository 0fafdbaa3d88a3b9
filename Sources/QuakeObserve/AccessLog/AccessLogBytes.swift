/// Byte searches eight bytes at a time (SWAR) for the access-log fast path: each mask function
/// sets the top bit of every byte of a little-endian word that matches, exactly (no false hits),
/// and the scans never read outside the range they are given.
enum AccessLogBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The bytes equal to `byte`.
    @inline(__always)
    static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        return ~(((x & low7) &+ low7) | x) & high
    }

    /// The bytes that cannot be in a token (`AccessLogField.ByteClass.token`): below 0x21, `"` or DEL.
    @inline(__always)
    static func nonToken(_ word: UInt64) -> UInt64 {
        let below = ~(((word & low7) &+ (ones &* 0x5F)) | word) & high
        return below | equal(word, UInt8(ascii: "\"")) | equal(word, 0x7F)
    }

    /// The first index in `from..<to` whose byte `mask` marks, else `to`.
    @inline(__always)
    static func first(_ b: UnsafePointer<UInt8>, from: Int, to: Int, _ mask: (UInt64) -> UInt64) -> Int {
        let raw = UnsafeRawPointer(b)
        var i = from
        while i + 8 <= to {
            let m = mask(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if m != 0 { return i + m.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < to {
            if mask(UInt64(b[i])) & 0x80 != 0 { return i }
            i += 1
        }
        return to
    }

    /// The last index in `from..<to` whose byte `mask` marks, else `from - 1`.
    @inline(__always)
    static func last(_ b: UnsafePointer<UInt8>, from: Int, to: Int, _ mask: (UInt64) -> UInt64) -> Int {
        let raw = UnsafeRawPointer(b)
        var e = to
        while e - 8 >= from {
            let m = mask(raw.loadUnaligned(fromByteOffset: e - 8, as: UInt64.self))
            if m != 0 { return e - 8 + (63 - m.leadingZeroBitCount) / 8 }
            e -= 8
        }
        while e > from {
            e -= 1
            if mask(UInt64(b[e])) & 0x80 != 0 { return e }
        }
        return from - 1
    }
}
