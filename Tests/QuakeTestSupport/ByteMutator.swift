/// Seeded byte-level mutations for the fuzz tests: one to four edits of an input, each one of
/// overwriting, inserting or deleting a byte (from an alphabet of bytes that matter to the format,
/// or any byte), cutting out a run of up to 40 bytes, or copying a run of up to 60 bytes elsewhere.
public struct ByteMutator: Sendable {
    /// Bytes that matter to the format under test (delimiters, quotes, digits, a few invalid ones).
    public var alphabet: [UInt8]

    /// A mutator drawing its inserted and overwriting bytes from `alphabet` (and now and then any byte).
    public init(alphabet: [UInt8]) {
        precondition(!alphabet.isEmpty, "a mutator needs an alphabet")
        self.alphabet = alphabet
    }

    /// `input` with one to four edits drawn from `rng`; an empty input stays empty.
    public func mutate(_ input: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[at] = alphabet.randomElement(using: &rng) ?? 0
            case 1: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: at)
            case 2: bytes.remove(at: at)
            case 3: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 4:
                let end = min(bytes.count, at + Int.random(in: 1...40, using: &rng))
                bytes.removeSubrange(at..<end)
            default:
                let end = min(bytes.count, at + Int.random(in: 1...60, using: &rng))
                let to = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: Array(bytes[at..<end]), at: to)
            }
        }
        return bytes
    }
}
