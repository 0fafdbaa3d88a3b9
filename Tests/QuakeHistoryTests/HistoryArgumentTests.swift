import Foundation
import Testing
import QuakeHistory

/// What the command line hands the history: `--since`, run references, the file's location.
@Suite struct HistoryArgumentTests {
    static let now = Date(timeIntervalSince1970: 1_796_650_000)

    @Test(arguments: [("14d", 14 * 86_400.0), ("36h", 36 * 3600.0), ("90m", 5400.0), ("1d12h", 36 * 3600.0)])
    func sinceTakesASpanBackFromNow(_ text: String, _ seconds: Double) throws {
        #expect(try HistorySince.date(text, now: Self.now) == Self.now.addingTimeInterval(-seconds))
    }

    @Test func sinceTakesADateOrAnInstant() throws {
        #expect(try HistorySince.date("2026-12-01", now: Self.now) == ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z"))
        #expect(try HistorySince.date("2026-12-01T08:00:00Z", now: Self.now) == ISO8601DateFormatter().date(from: "2026-12-01T08:00:00Z"))
    }

    @Test(arguments: ["", "fortnight", "14", "0", "-3d", "2026-13-45"])
    func sinceRefusesAnythingElseAndSaysWhatItTakes(_ text: String) {
        let error = #expect(throws: HistoryError.self) { try HistorySince.date(text, now: Self.now) }
        #expect(error?.code == .badArgument)
        #expect(error?.message == "--since \(text): expected a span back from now (14d, 36h, 90m) or a UTC date (2026-12-01) or instant (2026-12-01T08:00:00Z)")
    }

    @Test func referencesAreLastLastNOrAnId() throws {
        #expect(try RunReference(parsing: "last") == .last(back: 0))
        #expect(try RunReference(parsing: "last~3") == .last(back: 3))
        #expect(try RunReference(parsing: "zone-outage-20261207T130640Z-0a1b2c3d") == .id("zone-outage-20261207T130640Z-0a1b2c3d"))
        for bad in ["last~", "last~x", "last~-1"] {
            let error = #expect(throws: HistoryError.self) { try RunReference(parsing: bad) }
            #expect(error?.message.hasPrefix("\(bad): expected last, last~N") == true)
        }
    }

    @Test func theFileFollowsTheFlagThenTheEnvironment() {
        #expect(HistoryLocation.path(flag: "h.sqlite", environment: ["QUAKE_HISTORY": "/q.sqlite"]) == "h.sqlite")
        #expect(HistoryLocation.path(environment: ["QUAKE_HISTORY": "/q.sqlite", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"]) == "/q.sqlite")
        #expect(HistoryLocation.path(environment: ["XDG_DATA_HOME": "/xdg", "HOME": "/home/u"]) == "/xdg/quake/history.sqlite")
        #expect(HistoryLocation.path(environment: ["QUAKE_HISTORY": "", "HOME": "/home/u"]) == "/home/u/.local/share/quake/history.sqlite")
    }
}
