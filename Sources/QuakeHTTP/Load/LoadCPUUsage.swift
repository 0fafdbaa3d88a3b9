#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The processor time the whole process used during a load (every thread: the workers, the
/// Swift runtime, the caller), from `getrusage(RUSAGE_SELF)`.
public struct LoadCPUUsage: Sendable, Hashable {
    /// Time spent running the process's own code.
    public var user: Duration
    /// Time the kernel spent on the process's behalf (sockets, polls, timers).
    public var system: Duration
    /// The wall-clock time these were measured over.
    public var wall: Duration

    /// A usage from its parts.
    public init(user: Duration, system: Duration, wall: Duration) {
        self.user = user
        self.system = system
        self.wall = wall
    }

    /// How many cores' worth of time the process used on average: (user + system) / wall.
    public var cores: Double {
        let wallSeconds = wall / .seconds(1)
        return wallSeconds > 0 ? (user + system) / .seconds(1) / wallSeconds : 0
    }

    /// The process's user and system time so far.
    static func now() -> (user: Duration, system: Duration) {
        var usage = rusage()
        guard getrusage(Self.selfWho, &usage) == 0 else { return (.zero, .zero) }
        func duration(_ time: timeval) -> Duration {
            .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
        }
        return (duration(usage.ru_utime), duration(usage.ru_stime))
    }

    #if canImport(Glibc)
    private static let selfWho = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let selfWho = RUSAGE_SELF
    #endif
}
