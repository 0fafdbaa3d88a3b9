import QuakeCore

/// The tests' seeded generator (QuakeCore's SplitMix64), so generated and mutated inputs are the
/// same on every run and a failing one can be replayed from its seed.
public typealias SeededGenerator = SplitMix64
