import Foundation
import QuakeCore
import QuakeObserve
import Testing

/// `quake observe --json` is written by hand: names with quotes, backslashes, control bytes and
/// UTF-8 come back as they were, and times far from today are written as ISO 8601.
@Suite struct AccessLogSummaryJSONTests {
    static func counts(_ names: [String], start: Int64?) -> ObservedSummary.Counts {
        ObservedSummary.Counts(
            start: start, requests: names.count, codes: [ObservedCount(name: "0", count: 1), ObservedCount(name: "503", count: names.count - 1)],
            flags: [], flagCombinations: [ObservedCount(name: "-", count: names.count)], upstreamClusters: [],
            upstreamHosts: names.map { ObservedCount(name: $0, count: 1) }, latency: ObservedLatency(LatencyHistogram())
        )
    }

    @Test(arguments: [
        (Int64(-1), "1969-12-31T23:59:59.999Z"), (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_714_564_800_123_456), "2024-05-01T12:00:00.123Z"), (Int64(253_402_300_800_000_000), "10000-01-01T00:00:00.000Z"),
        (Int64(-62_198_755_200_000_000), "-001-01-01T00:00:00.000Z"),
    ])
    func namesAndTimesRoundTrip(start: Int64, iso: String) throws {
        let names = ["a\"b", "back\\slash", "line\nbreak\r\t", "bell\u{07}del\u{7F}", "ünïcødé", "-"]
        let summary = ObservedSummary(
            window: .seconds(1), start: start, total: Self.counts(names, start: nil), windows: [Self.counts(names, start: start)],
            malformed: AccessLogMalformedLines(), dropped: -3
        )
        let json = summary.renderJSON()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["start"] as? String == iso)
        #expect((object["start_us"] as? NSNumber)?.int64Value == start)
        #expect((object["dropped"] as? NSNumber)?.intValue == -3)
        let windows = try #require(object["windows"] as? [[String: Any]])
        let hosts = try #require(windows.first?["upstream_hosts"] as? [[String: Any]])
        #expect(hosts.compactMap { $0["name"] as? String } == names)
        #expect(windows.first?["start"] as? String == iso)
        #expect(json.contains(#""bell\u0007del\u007f""#))
    }
}
