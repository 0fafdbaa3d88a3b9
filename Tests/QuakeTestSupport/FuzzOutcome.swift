/// What a fuzz run did with its inputs: how many were read, how many refused, and the slowest.
public struct FuzzOutcome: Sendable, CustomStringConvertible {
    /// Inputs the reader took.
    public var read = 0
    /// Inputs the reader refused (with an error the test checked).
    public var refused = 0
    /// The input that took longest.
    public var slowest = SlowestInput()

    public var description: String { "\(read) read, \(refused) refused; \(slowest)" }
}

extension JSONFuzzer {
    /// Feeds `count` inputs drawn from `seed` to `read`, timing each; `read` says whether it took
    /// the input (true) or refused it (false), and checks the refusal itself.
    public func run(_ count: Int, seed: UInt64, _ read: (_ input: [UInt8], _ number: Int) -> Bool) async -> FuzzOutcome {
        var rng = SeededGenerator(seed: seed)
        var outcome = FuzzOutcome()
        for number in 0..<count {
            // Let the suites running alongside have the test pool's two threads now and then.
            if number % 500 == 0 { await Task.yield() }
            let bytes = input(using: &rng)
            if outcome.slowest.time(number, { read(bytes, number) }) { outcome.read += 1 } else { outcome.refused += 1 }
        }
        return outcome
    }
}
