/// A min-heap of timed payloads: the simulation's event queue and its queue of attempts in flight
/// (one push and one pop per upstream attempt, its hottest structure).
///
/// Each heap entry is one `UInt64`: the time in µs (high 40 bits, about 12 days) and the slot of
/// its payload in a slab (low 24 bits), so sifting compares and moves plain integers. Entries with
/// the same time go by slot, which is assigned deterministically (the most recently freed slot
/// first, else a new one): runs repeat exactly. Since no two live entries share a key, any heap
/// shape pops the same order.
///
/// One array holds both the heap (`keys[0..<count]`) and the free slots (`keys[count...]`, a stack
/// whose top is `keys[count]`): the slab and the array always have the same length, so a push or a
/// pop touches one buffer.
struct EventQueue<Payload> {
    struct Entry {
        var time: Int64
        var payload: Payload
    }

    private static var slotBits: UInt64 { 24 }
    private static var slotMask: UInt64 { (1 << slotBits) - 1 }

    private var keys: ContiguousArray<UInt64> = []
    private var slab: ContiguousArray<Payload> = []
    /// How many entries are queued.
    private(set) var count = 0
    /// The time of the earliest entry, or `Int64.max` when empty (kept, not computed: the run loop
    /// reads it on every step).
    private(set) var nextTime: Int64 = .max

    @inline(__always)
    mutating func push(_ time: Int64, _ payload: Payload) {
        precondition(time >= 0 && time < 1 << 40, "time \(time) µs is outside the queue's range")
        let n = count
        let slot: Int
        if n == keys.count {
            precondition(UInt64(n) <= Self.slotMask, "more than 16M entries queued")
            slot = n
            slab.append(payload)
            keys.append(0)
        } else {
            slot = Int(keys[n])
            slab[slot] = payload
        }
        let key = UInt64(time) << Self.slotBits | UInt64(slot)
        // Sifting runs on the buffer directly: every index is within 0...n < keys.count.
        let top = keys.withUnsafeMutableBufferPointer { h -> UInt64 in
            var i = n
            while i > 0 {
                let parent = (i - 1) >> 1
                let above = h[parent]
                guard key < above else { break }
                h[i] = above
                i = parent
            }
            h[i] = key
            return h[0]
        }
        count = n + 1
        nextTime = Int64(top >> Self.slotBits)
    }

    /// Removes and returns the earliest entry.
    @inline(__always)
    mutating func pop() -> Entry? {
        guard count > 0 else { return nil }
        let n = count - 1
        let (top, next) = keys.withUnsafeMutableBufferPointer { h -> (UInt64, Int64) in
            let top = h[0]
            let last = h[n]
            if n > 0 {
                // Floyd's deletion: the smaller child moves up until a leaf is free (one comparison
                // per level), then the last entry sifts up from there (rarely more than a level).
                var i = 0
                while true {
                    let left = 2 * i + 1
                    guard left < n else { break }
                    var child = left
                    var smaller = h[left]
                    if left + 1 < n {
                        let right = h[left + 1]
                        if right < smaller {
                            child = left + 1
                            smaller = right
                        }
                    }
                    h[i] = smaller
                    i = child
                }
                while i > 0 {
                    let parent = (i - 1) >> 1
                    let above = h[parent]
                    guard last < above else { break }
                    h[i] = above
                    i = parent
                }
                h[i] = last
            }
            // The freed slot is the free stack's new top.
            h[n] = top & Self.slotMask
            return (top, n > 0 ? Int64(h[0] >> Self.slotBits) : .max)
        }
        count = n
        nextTime = next
        return Entry(time: Int64(top >> Self.slotBits), payload: slab[Int(top & Self.slotMask)])
    }
}
