import Glibc

/// How long a process has run: the boot-time clock now, less the start time Linux records for the
/// process (`/proc/PID/stat` field 22, clock ticks after boot, 10 ms on most kernels).
public enum ProcessAge {
    /// How long this process has run, or `nil` when `/proc` cannot say.
    public static func ofThisProcess() -> Duration? { of(getpid()) }

    /// How long `pid` has run, or `nil` when it is gone or `/proc` cannot say.
    static func of(_ pid: Int32) -> Duration? {
        guard let stat = ProcessTable.stat(of: pid) else { return nil }
        var now = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &now) == 0 else { return nil }
        return age(startTicks: stat.startTime, ticksPerSecond: Int64(sysconf(Int32(_SC_CLK_TCK))), now: .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec))
    }

    /// The time from the end of tick `startTicks` after boot to `now` after boot, never below zero:
    /// the process started within that tick, so its age is never overstated (a start delay counted
    /// with it is never cut short).
    static func age(startTicks: UInt64, ticksPerSecond: Int64, now: Duration) -> Duration {
        guard ticksPerSecond > 0 else { return .zero }
        let ticks = Int64(clamping: startTicks) + 1
        let started = Duration.seconds(ticks / ticksPerSecond) + .nanoseconds((ticks % ticksPerSecond) * 1_000_000_000 / ticksPerSecond)
        return max(.zero, now - started)
    }
}
