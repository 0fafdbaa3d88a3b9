import Glibc

/// How a supervised process ended.
public enum ProcessExit: Sendable, Hashable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)
    /// It was reaped by someone else, so its status is unknown.
    case unknown

    /// The exit from a `waitpid` status word.
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    public var description: String {
        switch self {
        case let .exited(code): return "exit status \(code)"
        case let .signalled(signal): return "killed by \(ProcessSignal(rawValue: signal))"
        case .unknown: return "unknown exit status"
        }
    }
}
