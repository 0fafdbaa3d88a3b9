/// An interned name from an access log (a host, cluster, authority or flag combination);
/// resolve it with the `AccessLogSymbols` that made it.
public struct AccessLogSymbol: Hashable, Sendable {
    /// The index in its table; 0 is `none`.
    public let rawValue: UInt32

    /// A symbol from its index.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No value: Envoy's `-`, a JSON null, or a field the format does not have.
    public static let none = AccessLogSymbol(rawValue: 0)
}

/// Interns the names of an access log: each distinct byte string is stored once, in one arena,
/// and found again by an open-addressing hash table, so records carry 4-byte ids instead of
/// strings. Memory grows with distinct names, not with lines.
public struct AccessLogSymbols: Sendable {
    /// The bytes of every name, back to back.
    private var arena: [UInt8] = []
    /// Where each symbol's bytes end in `arena` (symbol `i` spans `ends[i - 1]..<ends[i]`); `ends[0]` is 0 for `none`.
    private var ends: [Int] = [0]
    /// Hash slots holding symbol ids (0 when empty); the size is a power of two, at most half full.
    private var slots: [UInt32] = [UInt32](repeating: 0, count: 64)

    /// An empty table.
    public init() {}

    /// How many names are stored (not counting `none`).
    public var count: Int { ends.count - 1 }

    /// The name of a symbol; nil for `none`.
    public func string(_ symbol: AccessLogSymbol) -> String? {
        let i = Int(symbol.rawValue)
        guard i > 0, i < ends.count else { return nil }
        return String(decoding: arena[ends[i - 1]..<ends[i]], as: UTF8.self)
    }

    /// The symbol of a name, added on first sight; about one hash and one compare per call.
    @inline(__always)
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> AccessLogSymbol {
        let hash = Self.hash(bytes)
        let found = find(bytes, hash)
        return found != 0 ? AccessLogSymbol(rawValue: found) : add(bytes, hash)
    }

    /// The symbol of a name already stored; nil when it is not.
    @inline(__always)
    func existing(_ bytes: UnsafeBufferPointer<UInt8>) -> AccessLogSymbol? {
        let found = find(bytes, Self.hash(bytes))
        return found != 0 ? AccessLogSymbol(rawValue: found) : nil
    }

    /// The id of a stored name, else 0.
    @inline(__always)
    private func find(_ bytes: UnsafeBufferPointer<UInt8>, _ hash: UInt64) -> UInt32 {
        slots.withUnsafeBufferPointer { slots in
            ends.withUnsafeBufferPointer { ends in
                arena.withUnsafeBufferPointer { arena in
                    let mask = slots.count - 1
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let id = slots[slot]
                        if id == 0 { return 0 }
                        let start = ends[Int(id) - 1]
                        if ends[Int(id)] - start == bytes.count {
                            guard let stored = arena.baseAddress, let other = bytes.baseAddress else { return id }
                            if Self.equal(UnsafeRawPointer(stored + start), UnsafeRawPointer(other), bytes.count) { return id }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Stores a name not seen before.
    @inline(never)
    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, _ hash: UInt64) -> AccessLogSymbol {
        let id = ends.count
        if id * 2 > slots.count { grow() }
        arena.append(contentsOf: bytes)
        ends.append(arena.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(id)
        return AccessLogSymbol(rawValue: UInt32(id))
    }

    /// Whether `count` bytes at `a` and `b` are the same, a word at a time (names are short).
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        if count < 8 { return tail(a, count) == tail(b, count) }
        var i = 0
        while i + 8 < count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// Up to 7 bytes as one word, without reading past them.
    @inline(__always)
    private static func tail(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        var i = 0
        if count & 4 != 0 {
            v = UInt64(p.loadUnaligned(as: UInt32.self))
            i = 4
        }
        if count & 2 != 0 {
            v |= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt16.self)) << UInt64(i * 8)
            i += 2
        }
        if count & 1 != 0 { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(i * 8) }
        return v
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [UInt32](repeating: 0, count: size)
        for id in 1..<ends.count {
            let hash = arena.withUnsafeBufferPointer { stored in
                Self.hash(UnsafeBufferPointer(rebasing: stored[ends[id - 1]..<ends[id]]))
            }
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while fresh[slot] != 0 { slot = (slot + 1) & (size - 1) }
            fresh[slot] = UInt32(id)
        }
        slots = fresh
    }

    /// A fast 64-bit hash, eight bytes at a time (the last word may overlap the one before).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return h }
        let count = bytes.count
        if count < 8 {
            h = (h ^ tail(base, count)) &* 0x94D0_49BB_1331_11EB
            return h ^ (h >> 31)
        }
        var i = 0
        while i + 8 < count {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE5_E9B9
            h ^= h >> 29
            i += 8
        }
        h = (h ^ base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
