/// Scheduled instants (nanoseconds) of requests that are due but wait for the in-flight cap,
/// oldest first: a ring that doubles when full, up to a bound.
struct LoadBacklog {
    private var ring: [Int64]
    private var head = 0
    /// How many instants wait.
    private(set) var count = 0
    /// The most instants kept; a request due when this many wait is not kept.
    let limit: Int

    /// An empty backlog of at most `limit` instants.
    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
        ring = [Int64](repeating: 0, count: min(limit, 1024))
    }

    /// Whether nothing waits.
    var isEmpty: Bool { count == 0 }

    /// The oldest instant, if any.
    var oldest: Int64? { count == 0 ? nil : ring[head] }

    /// Adds `instant` as the newest; false (and nothing kept) when `limit` instants wait already.
    mutating func append(_ instant: Int64) -> Bool {
        if count == ring.count {
            guard count < limit else { return false }
            grow()
        }
        ring[(head + count) % ring.count] = instant
        count += 1
        return true
    }

    /// Takes the oldest instant out.
    mutating func removeOldest() -> Int64? {
        guard count > 0 else { return nil }
        let instant = ring[head]
        head = (head + 1) % ring.count
        count -= 1
        return instant
    }

    /// Takes every instant out; returns how many there were.
    mutating func removeAll() -> Int {
        defer { head = 0; count = 0 }
        return count
    }

    private mutating func grow() {
        var larger = [Int64](repeating: 0, count: min(limit, ring.count * 2))
        for i in 0..<count { larger[i] = ring[(head + i) % ring.count] }
        ring = larger
        head = 0
    }
}
