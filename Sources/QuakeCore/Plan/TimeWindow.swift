import Foundation

/// A recurring time of the week when a plan may run on a real target, such as
/// `Mon-Fri 02:00-05:00 Europe/Berlin` (``init(parsing:)``). A window whose end is not after its
/// start runs over midnight into the next day; `00:00-24:00` is the whole day.
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    /// The days a window opens on, 1 (Sunday) … 7 (Saturday) as `Calendar` numbers them.
    public var weekdays: Set<Int>
    /// When it opens and closes, in minutes after midnight (the close may be 1440).
    public var opens: Int
    public var closes: Int
    /// The IANA time zone the times are in.
    public var timeZone: String

    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `[DAYS ]HH:MM-HH:MM[ ZONE]`: DAYS is `daily` (the default), a day (`Mon`), a range
    /// (`Mon-Fri`, `Fri-Mon`) or a comma list of those (`Sat,Sun`); ZONE is an IANA name, UTC by
    /// default. Nil when the text is not that.
    public init?(parsing text: String) {
        var words = text.split(separator: " ").map(String.init)
        guard let timesIndex = words.firstIndex(where: { $0.contains(":") }), timesIndex <= 1 else { return nil }
        let days = timesIndex == 1 ? words[0].lowercased() : "daily"
        var weekdays: Set<Int> = []
        if days == "daily" {
            weekdays = Set(1...7)
        } else {
            for part in days.split(separator: ",", omittingEmptySubsequences: false) {
                let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Self.dayNames.firstIndex(of: String($0)) }
                guard (1...2).contains(ends.count), let first = ends.first ?? nil, let last = ends.last ?? nil else { return nil }
                var day = first
                while true {
                    weekdays.insert(day + 1)
                    if day == last { break }
                    day = (day + 1) % 7
                }
            }
        }
        let times = words[timesIndex].split(separator: "-", omittingEmptySubsequences: false)
        guard times.count == 2, let opens = Self.minutes(times[0]), let closes = Self.minutes(times[1]), opens < 1440 else { return nil }
        words.removeSubrange(0...timesIndex)
        guard words.count <= 1 else { return nil }
        let zone = words.first ?? "UTC"
        guard TimeZone(identifier: zone) != nil else { return nil }
        self.weekdays = weekdays
        self.opens = opens
        self.closes = closes
        self.timeZone = zone
    }

    /// `HH:MM` in minutes after midnight (24:00 allowed).
    private static func minutes(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let h = Int(parts[0]), let m = Int(parts[1]),
              (0...59).contains(m), (0...23).contains(h) || (h == 24 && m == 0) else { return nil }
        return h * 60 + m
    }

    /// How long one opening lasts, in minutes.
    private var length: Int { closes > opens ? closes - opens : closes + 1440 - opens }

    /// The end of the opening that holds `start`, or nil when `start` is outside the window.
    public func end(ofOpeningHolding start: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        let today = calendar.startOfDay(for: start)
        // An opening that began yesterday may still run (over midnight, or a whole day's).
        for offset in [-1, 0] {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                  weekdays.contains(calendar.component(.weekday, from: day)),
                  let begins = calendar.date(byAdding: .minute, value: opens, to: day),
                  let ends = calendar.date(byAdding: .minute, value: length, to: begins)
            else { continue }
            if begins <= start && start < ends { return ends }
        }
        return nil
    }

    /// Whether a run from `start` lasting `duration` lies wholly inside one opening.
    public func admits(start: Date, duration: TimeSpan) -> Bool {
        guard let end = end(ofOpeningHolding: start) else { return false }
        return start.addingTimeInterval(duration.seconds) <= end
    }

    public var description: String {
        let days = weekdays.count == 7 ? "daily" : weekdays.sorted().map { Self.dayNames[$0 - 1].capitalized }.joined(separator: ",")
        func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(days) \(clock(opens))-\(clock(closes)) \(timeZone)"
    }
}
