/// A min-heap of timed payloads: the simulation's event queue and its queue of attempts in flight
/// (one push and one pop per upstream attempt, its hottest structure).
///
/// Each heap entry is one `UInt64`: the time in µs (high 40 bits, about 12 days) and the slot of
/// its payload in a slab (low 24 bits), so sifting compares and moves plain integers. Entries with
/// the same time go by slot, which is assigned deterministically: runs repeat exactly.
struct EventQueue<Payload> {
    struct Entry {
        var time: Int64
        var payload: Payload
    }

    private static var slotBits: UInt64 { 24 }
    private static var slotMask: UInt64 { (1 << slotBits) - 1 }

    private var heap: [UInt64] = []
    private var slab: [Payload] = []
    private var free: [UInt32] = []

    /// The time of the earliest entry, or `Int64.max` when empty.
    var nextTime: Int64 { heap.first.map { Int64($0 >> Self.slotBits) } ?? .max }

    mutating func push(_ time: Int64, _ payload: Payload) {
        precondition(time >= 0 && time < 1 << 40, "time \(time) µs is outside the queue's range")
        let slot: UInt64
        if let reused = free.popLast() {
            slot = UInt64(reused)
            slab[Int(reused)] = payload
        } else {
            slot = UInt64(slab.count)
            precondition(slot <= Self.slotMask, "more than 16M entries queued")
            slab.append(payload)
        }
        let key = UInt64(time) << Self.slotBits | slot
        heap.append(key)
        // Sifting runs on the buffer directly: every index is within 0..<count by the heap's arithmetic.
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 1
                guard key < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = key
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            guard n > 0 else { return }
            var i = 0
            while true {
                let left = 2 * i + 1
                guard left < n else { break }
                var child = left
                if left + 1 < n, h[left + 1] < h[left] { child = left + 1 }
                guard h[child] < last else { break }
                h[i] = h[child]
                i = child
            }
            h[i] = last
        }
        let slot = Int(top & Self.slotMask)
        free.append(UInt32(slot))
        return Entry(time: Int64(top >> Self.slotBits), payload: slab[slot])
    }
}
