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

    /// Adds one to the count of `key` (below 2⁶³) and raises its value to `value`; then, when
    /// `second` is given, adds one to the count of `second`, whose value is the first
    /// `secondValue` given. A key seen for the first time gets a cell with count and value 0.
    @inline(__always)
    mutating func count(_ key: UInt64, raisingTo value: Int64, then second: UInt64?, firstValue secondValue: Int64) {
        if (used + 2) * 4 > cells.count * 3 { grow() }
        let added = cells.withUnsafeMutableBufferPointer { cells in
            let mask = cells.count - 1
            var added = 0
            let i = Self.slot(key, cells, mask, &added)
            cells[i].count &+= 1
            if value > cells[i].value { cells[i].value = value }
            if let second {
                let j = Self.slot(second, cells, mask, &added)
                if cells[j].count == 0 { cells[j].value = secondValue }
                cells[j].count &+= 1
            }
            return added
        }
        used += added
    }

    /// The index of the cell of `key`, taking an empty one (and counting it in `added`) on first sight;
    /// the table has room.
    @inline(__always)
    private static func slot(_ key: UInt64, _ cells: UnsafeMutableBufferPointer<Cell>, _ mask: Int, _ added: inout Int) -> Int {
        let tag = key | Cell.occupied
        var i = start(key, mask)
        while true {
            let t = cells[i].tag
            if t == tag { return i }
            if t == 0 {
                cells[i].tag = tag
                added += 1
                return i
            }
            i = (i + 1) & mask
        }
    }

    /// The occupied cells, in no particular order.
    var occupied: some Sequence<Cell> { cells.lazy.filter { $0.tag != 0 } }

    @inline(__always)
    private static func start(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Doubles the table (or makes the first one).
    @inline(never)
    private mutating func grow() {
        let old = cells
        cells = [Cell](repeating: Cell(), count: max(16, old.count * 2))
        let mask = cells.count - 1
        for cell in old where cell.tag != 0 {
            var i = Self.start(cell.key, mask)
            while cells[i].tag != 0 { i = (i + 1) & mask }
            cells[i] = cell
        }
    }
}
