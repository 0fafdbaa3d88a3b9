/// A binary min-heap of timed payloads. Ties are broken by insertion order, so runs are deterministic.
///
/// The time and a 20-bit insertion counter share one `Int64` key (times up to about 100 days in µs),
/// kept apart from the payloads, so that sifting compares and moves plain integers.
struct EventQueue<Payload> {
    struct Entry {
        var time: Int64
        var payload: Payload
    }

    private var keys: [Int64] = []
    private var payloads: [Payload] = []
    private var sequence: Int64 = 0
    private static var sequenceBits: Int64 { 20 }

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    /// The time of the earliest entry, or `Int64.max` when empty.
    var nextTime: Int64 { keys.first.map { $0 >> Self.sequenceBits } ?? .max }

    mutating func push(_ time: Int64, _ payload: Payload) {
        let key = time << Self.sequenceBits | (sequence & ((1 << Self.sequenceBits) - 1))
        sequence &+= 1
        keys.append(key)
        payloads.append(payload)
        // Sifting runs on the buffers directly: per-element uniqueness and bounds checks cost more
        // than the comparisons (every index below is within 0..<count by the heap's arithmetic).
        keys.withUnsafeMutableBufferPointer { k in
            payloads.withUnsafeMutableBufferPointer { p in
                var i = k.count - 1
                while i > 0 {
                    let parent = (i - 1) >> 1
                    guard key < k[parent] else { break }
                    k[i] = k[parent]
                    p.swapAt(i, parent)
                    i = parent
                }
                k[i] = key
            }
        }
    }

    mutating func pop() -> Entry? {
        guard let topKey = keys.first else { return nil }
        let lastKey = keys.removeLast()
        payloads.swapAt(0, payloads.count - 1)
        let top = payloads.removeLast()
        keys.withUnsafeMutableBufferPointer { k in
            payloads.withUnsafeMutableBufferPointer { p in
                let n = k.count
                guard n > 0 else { return }
                var i = 0
                while true {
                    let left = 2 * i + 1
                    guard left < n else { break }
                    var child = left
                    if left + 1 < n, k[left + 1] < k[left] { child = left + 1 }
                    guard k[child] < lastKey else { break }
                    k[i] = k[child]
                    p.swapAt(i, child)
                    i = child
                }
                k[i] = lastKey
            }
        }
        return Entry(time: topKey >> Self.sequenceBits, payload: top)
    }
}
