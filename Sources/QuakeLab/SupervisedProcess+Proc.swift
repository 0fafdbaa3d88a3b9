import Glibc
import QuakeCore

extension SupervisedProcess {
    /// Whether the process this record names is alive (running or stopped, not a zombie): its PID
    /// exists and has the recorded start time. Reads `/proc/PID/stat`.
    public var isRunning: Bool {
        guard let pid, let startTime, let stat = ProcessTable.stat(of: pid) else { return false }
        return stat.startTime == startTime && stat.isAlive
    }

    /// Whether the process is stopped by a signal (`SIGSTOP`), as `/proc/PID/stat` says.
    public var isStopped: Bool {
        guard let pid, let startTime, let stat = ProcessTable.stat(of: pid) else { return false }
        return stat.startTime == startTime && stat.isStopped
    }

    /// A record of the running program itself (PID, start time), so that a journal can tell
    /// later whether the run that wrote it is still going.
    public static var current: SupervisedProcess {
        var record = SupervisedProcess(name: "quake", executable: ProcessTable.currentExecutable() ?? "quake", arguments: Array(CommandLine.arguments.dropFirst()), logFile: "")
        let pid = getpid()
        let stat = ProcessTable.stat(of: pid)
        record.pid = pid
        record.processGroup = stat?.processGroup
        record.startTime = stat?.startTime
        return record
    }
}
