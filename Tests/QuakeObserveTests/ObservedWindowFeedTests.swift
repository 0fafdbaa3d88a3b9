import QuakeCore
import QuakeObserve
import Testing

/// Which windows `quake observe --follow` shows, and when: each once its settle time has passed,
/// the log's own quiet windows included, every window from the follow's start (zeros when no
/// line came), none between an old log's end and the follow's start.
@Suite struct ObservedWindowFeedTests {
    /// 2024-05-01T12:00:00Z in µs since the epoch: window 0 of the lines below.
    static let noon: Int64 = 1_714_564_800_000_000

    static func summary(_ times: [String]) throws -> ObservedSummary {
        let (aggregator, symbols) = try AccessLogAggregatorTests.aggregate(times.map { AccessLogAggregatorTests.line($0, 200, "-", 5, "10.0.0.1:80") })
        return aggregator.summary(symbols: symbols)
    }

    static func seconds(_ s: Double) -> Int64 { noon + Int64(s * 1_000_000) }

    @Test func windowsShowOnceSettledAndQuietOnesAsZeros() throws {
        var feed = ObservedWindowFeed(window: .seconds(1), settle: .seconds(2), startedAt: Self.seconds(1.3))
        var log = try Self.summary(["00.200", "00.700"])
        #expect(feed.due(in: log, now: Self.seconds(2.9)).isEmpty, "window 0 ends at 1 s and settles at 3 s")
        let first = feed.due(in: log, now: Self.seconds(3.0))
        #expect(first.map(\.start) == [Self.noon] && first.map(\.counts.requests) == [2])
        #expect(feed.due(in: log, now: Self.seconds(3.5)).isEmpty, "each window once")

        log = try Self.summary(["00.200", "00.700", "02.500"])
        let next = feed.due(in: log, now: Self.seconds(5.0))
        #expect(next.map(\.start) == [Self.seconds(1), Self.seconds(2)])
        #expect(next.map(\.counts.requests) == [0, 1])
        // No line since: the windows after the log's last still show, with nothing in them.
        let quiet = feed.due(in: log, now: Self.seconds(8.0))
        #expect(quiet.map(\.start) == [Self.seconds(3), Self.seconds(4), Self.seconds(5)])
        #expect(quiet.allSatisfy { $0.counts.requests == 0 && $0.counts.latency.p99 == nil && $0.counts.codes.isEmpty })
        #expect(!feed.hasDue(now: Self.seconds(8.9)) && feed.hasDue(now: Self.seconds(9.0)))
    }

    @Test func anOldLogShowsItsOwnWindowsThenTheLiveOnes() throws {
        // Lines from seconds 10 and 12 of a log; the follow starts 1000 s later.
        let log = try Self.summary(["10.000", "12.500"])
        var feed = ObservedWindowFeed(window: .seconds(1), settle: .zero, startedAt: Self.seconds(1000.5))
        let rows = feed.due(in: log, now: Self.seconds(1001.0))
        #expect(rows.map(\.start) == [Self.seconds(10), Self.seconds(11), Self.seconds(12), Self.seconds(1000)])
        #expect(rows.map(\.counts.requests) == [1, 0, 1, 0])
    }

    @Test func nothingShowsBeforeTheFirstLineOrTheFollowsStart() throws {
        var feed = ObservedWindowFeed(window: .seconds(10), settle: .seconds(10), startedAt: Self.seconds(15))
        let empty = try Self.summary([])
        #expect(feed.due(in: empty, now: Self.seconds(29)).isEmpty)
        // A line from just before the follow started still opens the rows at its window.
        let log = try Self.summary(["08.000"])
        #expect(feed.due(in: log, now: Self.seconds(30)).map(\.start) == [Self.noon, Self.seconds(10)])
    }
}
