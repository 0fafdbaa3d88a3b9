/// The lines a parser could not read: how many, and the first few with their line numbers.
public struct AccessLogMalformedLines: Sendable, Equatable {
    /// How many lines were malformed.
    public private(set) var count = 0
    /// The first `sampleLimit` of them, each a `.malformed` error located at `file:line`.
    public private(set) var samples: [ObserveError] = []
    /// How many samples are kept.
    public let sampleLimit: Int

    /// An empty tally keeping at most `sampleLimit` samples.
    public init(sampleLimit: Int = 5) { self.sampleLimit = sampleLimit }

    /// Counts one malformed line, keeping it if there is room.
    public mutating func record(_ error: ObserveError) {
        count += 1
        if samples.count < sampleLimit { samples.append(error) }
    }

    /// Adds another tally (another file's), keeping the first samples.
    public mutating func merge(_ other: AccessLogMalformedLines) {
        count += other.count
        for sample in other.samples where samples.count < sampleLimit { samples.append(sample) }
    }
}
