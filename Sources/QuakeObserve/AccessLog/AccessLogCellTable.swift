/// A small open-addressing hash table of counters: each cell has a key, a count and one more
/// number the owner keeps (a maximum, a sample). It holds only the keys that occurred, so its
/// size follows the distinct keys, never the number of additions.
struct AccessLogCellTable: Sendable {
    /// One counter.
    struct Cell: Sendable {
        /// The key with bit 63 set; 0 when the cell is empty.
        var tag: UInt64 = 0
        var count: UInt64 = 0
        var value: Int64 = 0
        /// The key as given to `slot(_:)`.
        var key: UInt64 { tag & ~Self.occupied }
        static let occupied: UInt64 = 1 << 63
    }

    /// The cells, a power of two of them (or none), at most three quarters used.
    private(set) var cells: [Cell] = []
    /// How many cells hold a key.
    private(set) var used = 0

    /// The index of the cell of `key` (below 2⁶³), added with count and value 0 on first sight.
    @inline(__always)
    private mutating func slot(_ key: UInt64) -> Int {
        let tag = key | Cell.occupied
        if !cells.isEmpty {
            let mask = cells.count - 1
            var i = Self.start(key, mask)
            while true {
                let t = cells[i].tag
                if t == tag { return i }
                if t == 0 {
                    if (used + 1) * 4 <= cells.count * 3 {
                        cells[i].tag = tag
                        used += 1
                        return i
                    }
                    break
                }
                i = (i + 1) & mask
            }
        }
        return insertGrowing(tag)
    }

    /// Adds one to the count of `key` and raises its value to `value`.
    @inline(__always)
    mutating func count(_ key: UInt64, raisingTo value: Int64) {
        let i = slot(key)
        cells[i].count &+= 1
        if value > cells[i].value { cells[i].value = value }
    }

    /// Adds one to the count of `key`, whose value is the first `value` given.
    @inline(__always)
    mutating func count(_ key: UInt64, firstValue value: Int64) {
        let i = slot(key)
        if cells[i].count == 0 { cells[i].value = value }
        cells[i].count &+= 1
    }

    /// The occupied cells, in no particular order.
    var occupied: some Sequence<Cell> { cells.lazy.filter { $0.tag != 0 } }

    @inline(__always)
    private static func start(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Doubles the table (or makes the first one), then adds `tag`.
    private mutating func insertGrowing(_ tag: UInt64) -> Int {
        let old = cells
        cells = [Cell](repeating: Cell(), count: max(16, old.count * 2))
        let mask = cells.count - 1
        for cell in old where cell.tag != 0 {
            var i = Self.start(cell.key, mask)
            while cells[i].tag != 0 { i = (i + 1) & mask }
            cells[i] = cell
        }
        var i = Self.start(tag & ~Cell.occupied, mask)
        while cells[i].tag != 0 { i = (i + 1) & mask }
        cells[i].tag = tag
        used += 1
        return i
    }
}
