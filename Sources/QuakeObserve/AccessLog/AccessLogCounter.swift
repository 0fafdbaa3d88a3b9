/// Counters by dense slot that remember which slots they touched, so they can be read out and
/// cleared in time proportional to what was counted (a window's few names among many).
struct AccessLogCounter: Sendable {
    private var counts: [UInt64]
    private var touched: [Int] = []

    /// Counters for slots `0..<slots`.
    init(_ slots: Int) { counts = [UInt64](repeating: 0, count: slots) }

    /// Adds `count` to `slot`.
    @inline(__always)
    mutating func add(_ slot: Int, _ count: UInt64) {
        if counts[slot] == 0 { touched.append(slot) }
        counts[slot] &+= count
    }

    /// The non-zero counts as (slot, count), in the order first touched; every counter is 0 after.
    mutating func drain() -> [(Int, UInt64)] {
        let read = touched.map { ($0, counts[$0]) }
        for slot in touched { counts[slot] = 0 }
        touched.removeAll(keepingCapacity: true)
        return read
    }
}
