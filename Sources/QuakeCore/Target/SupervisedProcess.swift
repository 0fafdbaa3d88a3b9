import Foundation

/// One process a run starts (a lab's pod, Envoy or Prometheus), as the run's journal records it.
///
/// Before the process starts, the record holds what will be run (``pid`` is `nil`); after, it
/// holds the PID, its process group and the process's start time, read from field 22 of
/// `/proc/PID/stat`. A PID names a process only together with that start time: once a process
/// has exited its PID may be given to another, and a record whose start time no longer matches
/// is never signalled.
public struct SupervisedProcess: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A name for people and for the log file, such as `pod-svc1-0` or `envoy-zone-a`.
    public var name: String
    /// The absolute path of the program.
    public var executable: String
    /// The arguments after the program's name.
    public var arguments: [String]
    /// Variables added to (or replacing in) the supervisor's own environment.
    public var environment: [String: String]
    /// The file that receives the process's standard output and standard error.
    public var logFile: String
    /// The process ID; `nil` before the process is started.
    public var pid: Int32?
    /// The process group, which is also the session: the process leads both (equal to ``pid``).
    public var processGroup: Int32?
    /// When the process started, in clock ticks after boot (`/proc/PID/stat` field 22).
    public var startTime: UInt64?
    /// When the process started, by the wall clock (for people; ``startTime`` identifies it).
    public var startedAt: Date?

    /// A record of a process to be started.
    public init(name: String, executable: String, arguments: [String], environment: [String: String] = [:], logFile: String) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logFile = logFile
    }

    /// The command line, each word quoted for a POSIX shell where it needs it.
    public var commandLine: String {
        ([executable] + arguments).map(Self.shellQuoted).joined(separator: " ")
    }

    public var description: String {
        pid.map { "\(name) (PID \($0))" } ?? name
    }

    private static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
