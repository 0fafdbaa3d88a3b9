#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps byte strings to small integer ids and shared `String`s, so that a name or label value
/// seen on many lines is decoded and allocated once; a lookup hashes the bytes and compares them
/// with `memcmp`, allocating nothing.
struct PrometheusInterner {
    /// Which kinds of name an interned string is valid as, worked out once when it is interned.
    struct NameKinds: OptionSet {
        let rawValue: UInt8
        /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
        static let metric = NameKinds(rawValue: 1)
        /// `[a-zA-Z_][a-zA-Z0-9_]*`
        static let label = NameKinds(rawValue: 2)
    }

    private struct Entry {
        var hash: UInt64
        var offset: Int
        var count: Int
        var kinds: NameKinds
    }

    /// The bytes of every interned string, one after another.
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    /// Open-addressing table of entry indices, `-1` when empty; its size is a power of two.
    private var slots: [Int32]
    private var mask: Int
    /// The decoded string of each id.
    private(set) var strings: [String] = []

    init() {
        slots = Array(repeating: -1, count: 1024)
        mask = 1023
    }

    /// The id of `bytes`, interning them first if they are new; `nil` if they are new and not valid UTF-8.
    mutating func intern(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        let hash = Self.hash(base, count)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            let entry = entries[Int(index)]
            if entry.hash == hash && entry.count == count {
                let same = arena.withUnsafeBufferPointer { stored in
                    count == 0 || memcmp(stored.baseAddress! + entry.offset, base, count) == 0
                }
                if same { return index }
            }
            slot = (slot &+ 1) & mask
        }
        guard let string = String(validating: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) else {
            return nil
        }
        let id = Int32(entries.count)
        var kinds: NameKinds = []
        if count > 0, PrometheusTextParser.metricNameEnd(base, count, from: 0) == count { kinds.insert(.metric) }
        if count > 0, PrometheusTextParser.labelNameEnd(base, count, from: 0) == count { kinds.insert(.label) }
        entries.append(Entry(hash: hash, offset: arena.count, count: count, kinds: kinds))
        arena.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        strings.append(string)
        slots[slot] = id
        if entries.count * 2 > slots.count { grow() }
        return id
    }

    /// Which kinds of name the string with id `id` is valid as.
    func kinds(_ id: Int32) -> NameKinds {
        entries[Int(id)].kinds
    }

    /// The id of an ASCII string, interning it if it is new.
    mutating func intern(_ text: StaticString) -> Int32 {
        let id = intern(text.utf8Start, text.utf8CodeUnitCount)
        precondition(id != nil, "static strings are valid UTF-8")
        return id ?? 0
    }

    /// The id of `prefix` followed by `suffix`, interning it if it is new; `prefix` must be an interned id.
    mutating func intern(_ prefix: Int32, suffix: StaticString) -> Int32 {
        let entry = entries[Int(prefix)]
        var joined = Array(arena[entry.offset..<(entry.offset + entry.count)])
        joined.append(contentsOf: UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount))
        let id = joined.withUnsafeBufferPointer { intern($0.baseAddress!, $0.count) }
        precondition(id != nil, "an interned string with an ASCII suffix is valid UTF-8")
        return id ?? 0
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] >= 0 { slot = (slot &+ 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// A 64-bit hash of the bytes, eight at a time.
    @inline(__always)
    private static func hash(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(base)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var offset = 0
        while offset + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            h = (h ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        h ^= h >> 29
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }
}
