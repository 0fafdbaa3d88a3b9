import Glibc

/// A signal the supervisor sends to a process group.
public struct ProcessSignal: Sendable, Hashable, CustomStringConvertible {
    /// The signal's number.
    public var rawValue: Int32

    /// A signal by number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `SIGKILL`: ends the processes at once; their ports refuse connections.
    public static let kill = ProcessSignal(rawValue: SIGKILL)
    /// `SIGSTOP`: freezes the processes; the kernel still accepts connections, requests hang.
    public static let stop = ProcessSignal(rawValue: SIGSTOP)
    /// `SIGCONT`: lets stopped processes run again.
    public static let resume = ProcessSignal(rawValue: SIGCONT)
    /// `SIGTERM`: asks the processes to shut down gracefully.
    public static let terminate = ProcessSignal(rawValue: SIGTERM)

    public var description: String {
        switch rawValue {
        case SIGKILL: return "SIGKILL"
        case SIGSTOP: return "SIGSTOP"
        case SIGCONT: return "SIGCONT"
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        case SIGABRT: return "SIGABRT"
        case SIGSEGV: return "SIGSEGV"
        case SIGPIPE: return "SIGPIPE"
        default: return "signal \(rawValue)"
        }
    }
}
