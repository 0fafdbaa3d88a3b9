import Dispatch
import Foundation
import Glibc
import NIOCore
import NIOPosix
import QuakeCore
import QuakeHTTP
import Synchronization

/// Starts the lab's processes (pods, Envoys, Prometheus), signals them, and always stops them.
///
/// Each process is started fully detached (``ProcessSpawn``): a session and process group of its
/// own, standard input from `/dev/null`, output appended to `<directory>/<name>.log`. It is
/// recorded as a ``SupervisedProcess`` (PID, process group, start time, command line), handed to
/// ``Hooks/willStart`` before it starts, so a journal can write it first, and to
/// ``Hooks/didStart`` after. Signals go to the whole process group, and only while the record's
/// PID still has the recorded start time. One thread per child waits for it and reaps it, so no
/// zombie is left.
///
/// Use it through ``withSupervisor(directory:hooks:gracePeriod:isolation:_:)``, which stops
/// every process it started (`SIGTERM`, then `SIGKILL` after the grace period) and confirms that
/// none is left, whether its body returned or threw. ``killLeftover(_:timeout:)`` stops a
/// process recorded by an earlier run that crashed.
public final class ProcessSupervisor: Sendable {
    /// Called with each record before its process starts and after.
    public struct Hooks: Sendable {
        /// Called with the record of the process about to start (``SupervisedProcess/pid`` is `nil`);
        /// throwing vetoes the start and the error is rethrown by `start`.
        public var willStart: @Sendable (SupervisedProcess) async throws -> Void
        /// Called with the record of the process just started (PID, group and start time set);
        /// throwing kills the process and the error is rethrown by `start`.
        public var didStart: @Sendable (SupervisedProcess) async throws -> Void

        /// Hooks from two functions; by default they do nothing.
        public init(
            willStart: @escaping @Sendable (SupervisedProcess) async throws -> Void = { _ in },
            didStart: @escaping @Sendable (SupervisedProcess) async throws -> Void = { _ in }
        ) {
            self.willStart = willStart
            self.didStart = didStart
        }
    }

    /// The folder that holds the processes' log files.
    public let directory: String
    /// The hooks called around every start.
    public let hooks: Hooks
    /// How long ``terminate(_:grace:)`` and the teardown wait after `SIGTERM` before `SIGKILL`.
    public let gracePeriod: Duration

    private let state = Mutex(State())

    private struct State {
        var entries: [Int32: Entry] = [:]
        var order: [Int32] = []
        var closed = false
        var nextWaiter = 0
    }

    private struct Entry {
        var record: SupervisedProcess
        var exit: ProcessExit?
        var waiters: [Int: CheckedContinuation<ProcessExit?, Never>] = [:]
    }

    /// Runs `body` with a supervisor whose log files go to `directory` (created if missing), then
    /// stops every process it started and confirms that none is left (their PIDs and process
    /// groups are gone from `/proc`), whether `body` returned or threw.
    ///
    /// - Throws: what `body` threw; else ``LabError`` with code `process` when a process
    ///   survived the teardown.
    public static func withSupervisor<Value>(
        directory: String,
        hooks: Hooks = Hooks(),
        gracePeriod: Duration = .seconds(5),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ProcessSupervisor) async throws -> Value
    ) async throws -> Value {
        let supervisor = try ProcessSupervisor(directory: directory, hooks: hooks, gracePeriod: gracePeriod)
        let value: Value
        do {
            value = try await body(supervisor)
        } catch {
            try? await supervisor.stopAll()
            throw error
        }
        try await supervisor.stopAll()
        return value
    }

    private init(directory: String, hooks: Hooks, gracePeriod: Duration) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LabError(code: .process, message: "cannot create the lab directory: \(error.localizedDescription)", location: directory)
        }
        self.directory = directory
        self.hooks = hooks
        self.gracePeriod = gracePeriod
    }

    // MARK: Starting

    /// The absolute path of the running program (`/proc/self/exe`): `quake` itself, which the lab
    /// starts again as `quake pod …`.
    public static var currentExecutable: String? { ProcessTable.currentExecutable() }

    /// The absolute path of `program`: as given when it holds a `/`, else the first executable
    /// of that name on `PATH`; `nil` when there is none.
    public static func executablePath(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Starts `program` (a path, or a name looked up on `PATH`) with `arguments`, detached, its
    /// output appended to `<directory>/<name>.log`, and returns its record.
    ///
    /// - Parameter environment: variables added to the supervisor's own environment.
    /// - Throws: ``LabError`` `missingTool` when the program is not found, `process` when it
    ///   cannot be started or the supervisor is stopping; or what a hook threw.
    public func start(name: String, program: String, arguments: [String] = [], environment: [String: String] = [:]) async throws -> SupervisedProcess {
        guard let executable = Self.executablePath(program) else {
            throw LabError(code: .missingTool, message: "\(program) is not installed (not found on PATH)", location: program)
        }
        let logName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        var record = SupervisedProcess(
            name: name, executable: executable, arguments: arguments, environment: environment,
            logFile: (directory as NSString).appendingPathComponent(logName + ".log")
        )
        try await hooks.willStart(record)
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        let environmentLines = variables.map { "\($0.key)=\($0.value)" }.sorted()
        let launched = record
        let pid: Int32 = try state.withLock { state in
            guard !state.closed else {
                throw LabError(code: .process, message: "the supervisor is stopping; \(name) was not started", location: name)
            }
            let pid = try ProcessSpawn.spawn(executable: executable, arguments: arguments, environment: environmentLines, logFile: launched.logFile)
            var started = launched
            started.pid = pid
            started.processGroup = pid
            // Set at fork and kept across exec; the child is unreaped, so this PID is still its own.
            started.startTime = ProcessTable.stat(of: pid)?.startTime
            started.startedAt = Date()
            state.entries[pid] = Entry(record: started)
            state.order.append(pid)
            return pid
        }
        record = state.withLock { $0.entries[pid]?.record } ?? record
        startReaper(pid: pid)
        do {
            try await hooks.didStart(record)
        } catch {
            signalGroup(of: record, .kill)
            _ = await waitForExit(record, timeout: .seconds(5))
            throw error
        }
        return record
    }

    /// Starts `quake pod` with `configuration` under the name `pod-<pod name>`.
    ///
    /// - Parameter executable: the `quake` binary; by default the running program (`/proc/self/exe`).
    public func startPod(_ configuration: PodConfiguration, executable: String? = nil) async throws -> SupervisedProcess {
        try configuration.validate()
        guard let program = executable ?? Self.currentExecutable else {
            throw LabError(code: .process, message: "cannot tell the path of the running program from /proc/self/exe")
        }
        return try await start(name: "pod-\(configuration.pod)", program: program, arguments: ["pod"] + configuration.arguments)
    }

    // MARK: Readiness

    /// Waits until `probe` succeeds, polling every 50 ms.
    ///
    /// - Throws: ``LabError`` `notReady` after `timeout`, or `process` as soon as the process
    ///   exits; both with the last lines of its log.
    public func waitUntilReady(_ process: SupervisedProcess, probe: ProcessReadiness, timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let client = HTTPClient()
        while true {
            if let exit = exitStatus(of: process) {
                throw LabError(code: .process, message: "exited (\(exit)) before it was ready\(Self.logTail(process.logFile))", location: process.name)
            }
            let remaining = deadline - clock.now
            if remaining <= .zero {
                throw LabError(code: .notReady, message: "not ready after \(PodConfiguration.argument(timeout)) (\(probe))\(Self.logTail(process.logFile))", location: process.name)
            }
            if await Self.check(probe, limit: min(remaining, .seconds(1)), client: client) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private static func check(_ probe: ProcessReadiness, limit: Duration, client: HTTPClient) async -> Bool {
        switch probe {
        case let .http(url, headers):
            let request = HTTPRequest(method: .get, url: url, headers: headers, timeout: limit, connectTimeout: limit)
            guard let response = try? await client.send(request) else { return false }
            return (200..<300).contains(response.status)
        case let .tcp(host, port):
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.microseconds(PodConfiguration.microseconds(limit)))
            guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return false }
            try? await channel.close()
            return true
        }
    }

    /// The last lines of a log file, as text to append to an error message; empty when there are none.
    static func logTail(_ path: String, lines: Int = 10) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let tail = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        guard !tail.isEmpty else { return "; its log \(path) is empty" }
        return "; last lines of \(path):\n" + tail.map { "  " + $0 }.joined(separator: "\n")
    }

    // MARK: Signals

    /// Sends `SIGKILL` to the process group: the processes end at once and their ports refuse connections.
    public func kill(_ process: SupervisedProcess) throws { try signal(process, .kill) }

    /// Sends `SIGSTOP` to the process group: the processes freeze; connections are still
    /// accepted by the kernel but requests hang.
    public func stop(_ process: SupervisedProcess) throws { try signal(process, .stop) }

    /// Sends `SIGCONT` to the process group: stopped processes run again.
    public func resume(_ process: SupervisedProcess) throws { try signal(process, .resume) }

    /// Sends `signal` to the process's group, if the process is still the one recorded; a process
    /// that has already ended is left alone.
    ///
    /// - Throws: ``LabError`` `process` when the record was not started by this supervisor.
    public func signal(_ process: SupervisedProcess, _ signal: ProcessSignal) throws {
        guard let pid = process.pid, state.withLock({ $0.entries[pid]?.record.startTime == process.startTime }) else {
            throw LabError(code: .process, message: "was not started by this supervisor", location: process.description)
        }
        signalGroup(of: process, signal)
    }

    /// Asks the process group to stop with `SIGTERM` (and `SIGCONT`, so that stopped processes
    /// see it), waits up to `grace` (the supervisor's grace period by default), then sends
    /// `SIGKILL`; returns how the process ended.
    ///
    /// - Throws: ``LabError`` `process` when the process is still there 5 s after `SIGKILL`.
    @discardableResult
    public func terminate(_ process: SupervisedProcess, grace: Duration? = nil) async throws -> ProcessExit {
        try signal(process, .terminate)
        signalGroup(of: process, .resume)
        if let exit = await waitForExit(process, timeout: grace ?? gracePeriod) {
            killGroupMembers(of: process)
            return exit
        }
        signalGroup(of: process, .kill)
        guard let exit = await waitForExit(process, timeout: .seconds(5)) else {
            throw LabError(code: .process, message: "still running 5 s after SIGKILL", location: process.description)
        }
        killGroupMembers(of: process)
        return exit
    }

    /// Signals the group of a process this supervisor started, under the lock so that the reaper
    /// cannot free the PID in between: while the leader is unreaped its PID (and group) are its
    /// own; once reaped, the group is signalled only if no other process has taken the PID.
    private func signalGroup(of process: SupervisedProcess, _ signal: ProcessSignal) {
        guard let pid = process.pid else { return }
        let group = process.processGroup ?? pid
        state.withLock { state in
            guard let entry = state.entries[pid], entry.record.startTime == process.startTime else { return }
            if entry.exit != nil, let now = ProcessTable.stat(of: pid), now.startTime != process.startTime { return }
            _ = Glibc.kill(-group, signal.rawValue)
        }
    }

    /// Kills what is left of the group after its leader ended (children it started).
    private func killGroupMembers(of process: SupervisedProcess) {
        guard let group = process.processGroup, let startTime = process.startTime else { return }
        Self.killMembers(ofGroup: group, leader: group, startedAtOrAfter: startTime)
    }

    // MARK: State

    /// Whether the process is alive (running or stopped): its PID has the recorded start time.
    public func isRunning(_ process: SupervisedProcess) -> Bool { process.isRunning }

    /// How the process ended, or `nil` while it runs (or when this supervisor did not start it).
    public func exitStatus(of process: SupervisedProcess) -> ProcessExit? {
        guard let pid = process.pid else { return nil }
        return state.withLock { state in
            guard let entry = state.entries[pid], entry.record.startTime == process.startTime else { return nil }
            return entry.exit
        }
    }

    /// Every process this supervisor started, in start order.
    public var processes: [SupervisedProcess] {
        state.withLock { state in state.order.compactMap { state.entries[$0]?.record } }
    }

    /// Waits until the process ends, for at most `timeout`; returns how it ended, or `nil` on
    /// timeout. Not cut short by task cancellation, so a teardown always gets its answer.
    public func waitForExit(_ process: SupervisedProcess, timeout: Duration) async -> ProcessExit? {
        guard let pid = process.pid else { return nil }
        return await withCheckedContinuation { (continuation: CheckedContinuation<ProcessExit?, Never>) in
            enum Now { case resume(ProcessExit?), wait(Int) }
            let now: Now = state.withLock { state in
                guard var entry = state.entries[pid], entry.record.startTime == process.startTime else { return .resume(nil) }
                if let exit = entry.exit { return .resume(exit) }
                state.nextWaiter += 1
                entry.waiters[state.nextWaiter] = continuation
                state.entries[pid] = entry
                return .wait(state.nextWaiter)
            }
            switch now {
            case let .resume(exit):
                continuation.resume(returning: exit)
            case let .wait(token):
                let nanoseconds = max(0, PodConfiguration.microseconds(timeout)) * 1000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
                    let waiter = state.withLock { $0.entries[pid]?.waiters.removeValue(forKey: token) }
                    waiter?.resume(returning: nil)
                }
            }
        }
    }

    // MARK: Reaping

    /// Starts the thread that waits for `pid` to exit and reaps it.
    private func startReaper(pid: Int32) {
        let thread = Thread { [self] in reap(pid) }
        thread.name = "QuakeLab reaper \(pid)"
        thread.stackSize = 128 << 10
        thread.start()
    }

    /// Blocks until `pid` exits, then, under the lock, records how and reaps it: until then the
    /// PID cannot be reused, which is what makes ``signalGroup(of:_:)`` safe.
    private func reap(_ pid: Int32) {
        var info = siginfo_t()
        var result: Int32
        repeat {
            result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        } while result == -1 && errno == EINTR
        let (exit, waiters) = state.withLock { state in
            var status: Int32 = 0
            var reaped: Int32
            repeat {
                reaped = waitpid(pid, &status, 0)
            } while reaped == -1 && errno == EINTR
            let exit = reaped == pid ? ProcessExit(waitStatus: status) : .unknown
            guard var entry = state.entries[pid] else { return (exit, [CheckedContinuation<ProcessExit?, Never>]()) }
            entry.exit = exit
            let waiters = Array(entry.waiters.values)
            entry.waiters = [:]
            state.entries[pid] = entry
            return (exit, waiters)
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }

    // MARK: Teardown

    /// Stops every process started here: `SIGTERM` and `SIGCONT` to every group, `SIGKILL` to
    /// what is left after the grace period, then checks `/proc` until no PID and no member of
    /// any group is left. Starting is refused from the first call on. Called by
    /// ``withSupervisor(directory:hooks:gracePeriod:isolation:_:)``; safe to call more than once.
    ///
    /// - Throws: ``LabError`` `process` naming the processes still there 5 s after `SIGKILL`.
    public func stopAll() async throws {
        let records = state.withLock { state in
            state.closed = true
            return state.order.compactMap { state.entries[$0]?.record }
        }
        let running = records.filter { exitStatus(of: $0) == nil }
        for record in running {
            signalGroup(of: record, .terminate)
            signalGroup(of: record, .resume)
        }
        await waitForAll(running, timeout: gracePeriod)
        for record in running where exitStatus(of: record) == nil { signalGroup(of: record, .kill) }
        await waitForAll(running, timeout: .seconds(5))
        for record in records { killGroupMembers(of: record) }
        let deadline = ContinuousClock.now + .seconds(5)
        var left = Self.survivors(records)
        while !left.isEmpty, ContinuousClock.now < deadline {
            for record in records { killGroupMembers(of: record) }
            await Self.pause(milliseconds: 20)
            left = Self.survivors(records)
        }
        guard left.isEmpty else {
            throw LabError(code: .process, message: "still running after teardown: \(left.joined(separator: ", "))")
        }
    }

    /// Hands every process started here over to the run's journal: they keep running after the
    /// supervisor's scope ends (`quake lab up`), and `quake lab down` stops them from the journal's
    /// records. Starting is refused from then on; returns the records handed over.
    public func release() -> [SupervisedProcess] {
        state.withLock { state in
            state.closed = true
            let records = state.order.compactMap { state.entries[$0]?.record }
            state.order.removeAll()
            return records
        }
    }

    private func waitForAll(_ records: [SupervisedProcess], timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            for record in records {
                group.addTask { _ = await self.waitForExit(record, timeout: timeout) }
            }
        }
    }

    /// The processes of `records` still alive, and the live members of their groups, for people.
    static func survivors(_ records: [SupervisedProcess]) -> [String] {
        var out: [String] = []
        for record in records {
            if record.isRunning { out.append(record.description) }
            guard let group = record.processGroup, let startTime = record.startTime else { continue }
            for member in ownMembers(ofGroup: group, leader: group, startedAtOrAfter: startTime) where member.pid != record.pid {
                out.append("\(record.name)'s child PID \(member.pid)")
            }
        }
        return out
    }

    // MARK: Leftovers of earlier runs

    /// What ``killLeftover(_:timeout:)`` found.
    public enum LeftoverOutcome: Sendable, Equatable {
        /// The recorded process (or what was left of its group) was running and has been killed.
        case killed
        /// Nothing of the record was running.
        case notRunning
        /// The PID now belongs to another process (its start time differs); nothing was signalled.
        case pidReused
    }

    /// Kills, with `SIGKILL`, a process recorded by an earlier run (for `quake lab down` and
    /// rollback after a crash) and what is left of its process group, if its PID still has the
    /// recorded start time. A PID that another process now holds is never signalled: the kernel
    /// does not reuse a PID while a process group of that number exists, so the recorded group is
    /// gone too.
    ///
    /// - Throws: ``LabError`` `process` when the process is still there after `timeout`.
    public static func killLeftover(_ process: SupervisedProcess, timeout: Duration = .seconds(5)) async throws -> LeftoverOutcome {
        guard let pid = process.pid, let startTime = process.startTime else { return .notRunning }
        let group = process.processGroup ?? pid
        var outcome = LeftoverOutcome.notRunning
        if let now = ProcessTable.stat(of: pid) {
            guard now.startTime == startTime else { return .pidReused }
            if now.isAlive {
                _ = Glibc.kill(-group, SIGKILL)
                outcome = .killed
            }
        }
        if !ownMembers(ofGroup: group, leader: pid, startedAtOrAfter: startTime).isEmpty {
            killMembers(ofGroup: group, leader: pid, startedAtOrAfter: startTime)
            outcome = .killed
        }
        guard outcome == .killed else { return .notRunning }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning || !ownMembers(ofGroup: group, leader: pid, startedAtOrAfter: startTime).isEmpty {
            guard ContinuousClock.now < deadline else {
                throw LabError(code: .process, message: "still running after SIGKILL", location: process.description)
            }
            await pause(milliseconds: 20)
        }
        return .killed
    }

    /// Kills, with `SIGKILL`, the processes that `record` (written before its start, without a
    /// PID) may have become when the run died between starting it and recording its PID: live
    /// session leaders whose command line ends with the record's arguments (the program may be a
    /// wrapper that execs another, as pip's `envoy` does; a lab's arguments name their ports and
    /// the run's folder, so they are its own). Returns how many there were.
    ///
    /// - Throws: ``LabError`` `process` when one is still there after `timeout`.
    public static func killUnconfirmed(_ record: SupervisedProcess, timeout: Duration = .seconds(5)) async throws -> Int {
        guard !record.arguments.isEmpty else { return 0 }
        let found = ProcessTable.allPIDs().compactMap { pid -> SupervisedProcess? in
            guard let stat = ProcessTable.stat(of: pid), stat.isAlive, stat.session == pid,
                  let words = ProcessTable.commandLine(of: pid), words.count > record.arguments.count,
                  Array(words.suffix(record.arguments.count)) == record.arguments
            else { return nil }
            var match = record
            match.pid = pid
            match.processGroup = pid
            match.startTime = stat.startTime
            return match
        }
        for process in found { _ = try await killLeftover(process, timeout: timeout) }
        return found.count
    }

    /// The live members of process group `group` that can be the recorded process's: none when
    /// the leader's PID belongs to a process started at another time (the group is then gone),
    /// and only processes started no earlier than the leader.
    static func ownMembers(ofGroup group: Int32, leader: Int32, startedAtOrAfter startTime: UInt64) -> [ProcessTable.Stat] {
        if let now = ProcessTable.stat(of: leader), now.startTime != startTime { return [] }
        return ProcessTable.members(ofGroup: group).filter { $0.startTime >= startTime }
    }

    /// Sends `SIGKILL` to each of ``ownMembers(ofGroup:leader:startedAtOrAfter:)``.
    static func killMembers(ofGroup group: Int32, leader: Int32, startedAtOrAfter startTime: UInt64) {
        let members = ownMembers(ofGroup: group, leader: leader, startedAtOrAfter: startTime)
        guard !members.isEmpty else { return }
        _ = Glibc.kill(-group, SIGKILL)
    }

    /// Waits briefly without being cut short by task cancellation (a teardown must finish) and
    /// without blocking a thread of the cooperative pool.
    private static func pause(milliseconds: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}
