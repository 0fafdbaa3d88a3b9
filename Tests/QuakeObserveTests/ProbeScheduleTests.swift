import QuakeCore
import QuakeObserve
import Testing

/// The model's probe timing: checks at k × interval (k ≥ 1) before the end, counted in the window of their start.
@Suite struct ProbeScheduleTests {
    @Test func checksStartOneIntervalInAndStopBeforeTheEnd() {
        let schedule = ProbeSchedule(interval: .seconds(10), duration: .seconds(60), window: .seconds(15))
        #expect(schedule.windowCount == 4)
        #expect(schedule.checkCount == 5)
        #expect((1...schedule.checkCount).map { schedule.offset(ofCheck: $0) } == [10, 20, 30, 40, 50].map { TimeSpan.seconds($0) })
        #expect((1...schedule.checkCount).map { schedule.window(at: schedule.offset(ofCheck: $0)) } == [0, 1, 2, 2, 3])
    }

    @Test func aDurationThatIsNotAWholeNumberOfWindows() {
        let schedule = ProbeSchedule(interval: .seconds(1), duration: .milliseconds(10_500), window: .seconds(5))
        #expect(schedule.windowCount == 3)
        #expect(schedule.checkCount == 10)
        #expect(schedule.window(at: .seconds(10)) == 2)
        // Past the last window's start, everything counts in the last window.
        #expect(schedule.window(at: .seconds(99)) == 2)
    }

    @Test func noCheckInARunShorterThanOneInterval() {
        #expect(ProbeSchedule(interval: .seconds(10), duration: .seconds(10), window: .seconds(1)).checkCount == 0)
        #expect(ProbeSchedule(interval: .seconds(10), duration: .seconds(5), window: .seconds(1)).checkCount == 0)
    }
}
