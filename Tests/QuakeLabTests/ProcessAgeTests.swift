import Testing
@testable import QuakeLab

struct ProcessAgeTests {
    @Test func theAgeCountsFromTheEndOfTheStartTick() {
        // Started in tick 1,234 (12.34 s after boot at 100 ticks a second): 12.35 s at the latest.
        #expect(ProcessAge.age(startTicks: 1_234, ticksPerSecond: 100, now: .milliseconds(15_350)) == .seconds(3))
        #expect(ProcessAge.age(startTicks: 1_234, ticksPerSecond: 100, now: .milliseconds(12_345)) == .zero, "never below zero")
        #expect(ProcessAge.age(startTicks: 7, ticksPerSecond: 0, now: .seconds(1)) == .zero, "no tick rate, no age")
    }

    @Test func thisProcessIsOlderThanNothingAndYoungerThanTheMachine() throws {
        let age = try #require(ProcessAge.ofThisProcess())
        #expect(age > .zero)
        let uptime = try #require(ProcessTable.read("/proc/uptime")?.split(separator: " ").first.flatMap { Double($0) })
        #expect(age <= .seconds(uptime + 1))
    }
}
