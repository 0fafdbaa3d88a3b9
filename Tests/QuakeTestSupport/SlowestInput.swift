/// The slowest input of a fuzz run: each input is timed on the continuous clock, and the test
/// expects the slowest under its bound (issue #7: no input may take a second).
public struct SlowestInput: Sendable, CustomStringConvertible {
    /// How long the slowest input took.
    public private(set) var duration: Duration = .zero
    /// Its number in the run (-1 before the first).
    public private(set) var input = -1

    /// Nothing timed yet.
    public init() {}

    /// Runs `body` for input number `input`, keeping its time if it is the slowest so far.
    public mutating func time<T, E: Error>(_ input: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            if elapsed > duration {
                duration = elapsed
                self.input = input
            }
        }
        return try body()
    }

    public var description: String { "the slowest input, number \(input), took \(duration)" }
}
