import Foundation
import QuakeCore
import Testing

/// `safety.allowedWindows`: the spellings people write, and which runs fit in an opening.
@Suite struct TimeWindowTests {
    /// 2026-12-07 is a Monday.
    static func date(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func readsDaysTimesAndZones() throws {
        let weekdays = try #require(TimeWindow(parsing: "Mon-Fri 02:00-05:00 Europe/Berlin"))
        #expect(weekdays.weekdays == [2, 3, 4, 5, 6] && weekdays.opens == 120 && weekdays.closes == 300 && weekdays.timeZone == "Europe/Berlin")
        #expect(TimeWindow(parsing: "22:00-06:00")?.weekdays.count == 7, "no days: daily")
        #expect(TimeWindow(parsing: "Fri-Mon 00:00-24:00")?.weekdays == [6, 7, 1, 2], "a range over the weekend")
        #expect(TimeWindow(parsing: "Sat,Sun 10:00-12:00")?.description == "Sun,Sat 10:00-12:00 UTC")
        for bad in ["", "Mon-Fri", "Mon-Fri 2:00-05:00", "Mon-Fri 02:00-25:00", "Mon-Fri 02:00-05:00 Mars/Olympus", "Someday 02:00-03:00", "02:00-03:00 UTC extra", "24:00-02:00"] {
            #expect(TimeWindow(parsing: bad) == nil, "'\(bad)'")
        }
    }

    @Test func aRunMustFitWhollyInOneOpening() throws {
        let night = try #require(TimeWindow(parsing: "Mon-Fri 02:00-05:00 UTC"))
        #expect(night.admits(start: try Self.date("2026-12-07T02:00:00Z"), duration: .seconds(3 * 3600)))
        #expect(!night.admits(start: try Self.date("2026-12-07T04:31:00Z"), duration: .seconds(30 * 60)), "ends after 05:00")
        #expect(!night.admits(start: try Self.date("2026-12-07T05:00:00Z"), duration: .seconds(60)), "the close is outside")
        #expect(!night.admits(start: try Self.date("2026-12-06T03:00:00Z"), duration: .seconds(60)), "Sunday is not Mon-Fri")
    }

    @Test func anOpeningRunsOverMidnightFromItsFirstDayInItsZone() throws {
        let overnight = try #require(TimeWindow(parsing: "Fri 22:00-06:00 Europe/Berlin"))
        // Saturday 05:00 in Berlin (UTC+1 in December) is inside Friday's opening.
        #expect(overnight.admits(start: try Self.date("2026-12-12T04:00:00Z"), duration: .seconds(30 * 60)))
        // Sunday 05:00 in Berlin is not: Saturday does not open.
        #expect(!overnight.admits(start: try Self.date("2026-12-13T04:00:00Z"), duration: .seconds(30 * 60)))
        #expect(overnight.end(ofOpeningHolding: try Self.date("2026-12-11T21:00:00Z")) == (try Self.date("2026-12-12T05:00:00Z")))
    }
}
