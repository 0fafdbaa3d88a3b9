import Foundation
import Glibc
import QuakeCore
import QuakeLab
import Synchronization
import Testing

/// The supervisor on ordinary programs (`sleep`, `sh`): records, hooks, readiness, signals,
/// reaping, teardown and leftovers of an earlier run. Every process is a real one, checked in `/proc`.
@Suite(.timeLimit(.minutes(1))) struct ProcessSupervisorTests {
    @Test func startsADetachedProcessAndRecordsIt() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            let (record, stat) = try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let record = try await supervisor.start(name: "sleeper", program: "sleep", arguments: ["60"])
                return (record, ProcessTestSupport.stat(try #require(record.pid)))
            }
            let pid = try #require(record.pid)
            let live = try #require(stat)
            // Its own session and process group, and the start time of /proc/PID/stat field 22.
            #expect(record.processGroup == pid)
            #expect(live.group == pid)
            #expect(live.session == pid)
            #expect(record.startTime == live.startTime)
            #expect(record.executable.hasSuffix("/sleep"))
            #expect(record.commandLine == "\(record.executable) 60")
            #expect(record.logFile == "\(dir)/sleeper.log")
            #expect(FileManager.default.fileExists(atPath: record.logFile))
            #expect(record.startedAt != nil)
            // The teardown stopped it and reaped it: no zombie is left either.
            #expect(ProcessTestSupport.stat(pid) == nil)
            #expect(!record.isRunning)
        }
    }

    @Test func writesOutputToTheLogFileAndReadsNothingFromTheTerminal() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let record = try await supervisor.start(name: "talker", program: "sh", arguments: ["-c", "echo out; echo err >&2; cat; echo \"stdin closed\""])
                #expect(await supervisor.waitForExit(record, timeout: .seconds(10)) == .exited(0))
                let log = try String(contentsOfFile: record.logFile, encoding: .utf8)
                #expect(log == "out\nerr\nstdin closed\n")
            }
        }
    }

    @Test func callsTheHooksBeforeAndAfterTheStartAndAWillStartErrorVetoesIt() async throws {
        struct Veto: Error {}
        let seen = Mutex<[SupervisedProcess]>([])
        let hooks = ProcessSupervisor.Hooks(
            willStart: { record in
                seen.withLock { $0.append(record) }
                if record.name == "vetoed" { throw Veto() }
            },
            didStart: { record in seen.withLock { $0.append(record) } }
        )
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir, hooks: hooks) { supervisor in
                let started = try await supervisor.start(name: "sleeper", program: "sleep", arguments: ["60"])
                await #expect(throws: Veto.self) { try await supervisor.start(name: "vetoed", program: "sleep", arguments: ["60"]) }
                #expect(supervisor.processes == [started])
                let records = seen.withLock { $0 }
                #expect(records.map(\.name) == ["sleeper", "sleeper", "vetoed"])
                #expect(records[0].pid == nil && records[0].commandLine == started.commandLine)
                #expect(records[1] == started)
                #expect(records[2].pid == nil)
            }
        }
    }

    @Test func aDidStartErrorKillsTheProcess() async throws {
        struct JournalFull: Error {}
        let started = Mutex<SupervisedProcess?>(nil)
        let hooks = ProcessSupervisor.Hooks(didStart: { record in
            started.withLock { $0 = record }
            throw JournalFull()
        })
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir, hooks: hooks) { supervisor in
                await #expect(throws: JournalFull.self) { try await supervisor.start(name: "sleeper", program: "sleep", arguments: ["60"]) }
                let record = try #require(started.withLock { $0 })
                #expect(!record.isRunning)
                #expect(supervisor.exitStatus(of: record) == .signalled(SIGKILL))
            }
        }
    }

    @Test func readinessFailsWithTheLogsLastLines() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let port = try ProcessTestSupport.freePort()
                let slow = try await supervisor.start(name: "slow", program: "sh", arguments: ["-c", "echo warming up; exec sleep 60"])
                let notReady = await #expect(throws: LabError.self) {
                    try await supervisor.waitUntilReady(slow, probe: .tcp(host: "127.0.0.1", port: port), timeout: .milliseconds(500))
                }
                #expect(notReady?.code == .notReady)
                #expect(notReady?.message.contains("warming up") == true)
                #expect(notReady?.location == "slow")

                let crashing = try await supervisor.start(name: "crashing", program: "sh", arguments: ["-c", "echo bad flag >&2; exit 3"])
                let exited = await #expect(throws: LabError.self) {
                    try await supervisor.waitUntilReady(crashing, probe: .http(url: "http://127.0.0.1:\(port)/ready"), timeout: .seconds(20))
                }
                #expect(exited?.code == .process)
                #expect(exited?.message.contains("exit status 3") == true)
                #expect(exited?.message.contains("bad flag") == true)
            }
        }
    }

    @Test func aMissingProgramIsAMissingTool() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let error = await #expect(throws: LabError.self) {
                    try await supervisor.start(name: "envoy", program: "quake-no-such-program")
                }
                #expect(error?.code == .missingTool)
                #expect(supervisor.processes.isEmpty)
            }
        }
    }

    @Test func signalsReachTheWholeProcessGroupAndExitsAreReaped() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                // A shell with two children, all in one group.
                let record = try await supervisor.start(name: "family", program: "sh", arguments: ["-c", "sleep 60 & sleep 60 & wait"])
                let pid = try #require(record.pid)
                try await ProcessTestSupport.waitUntil { ProcessTestSupport.members(ofGroup: pid).count == 3 }

                try supervisor.stop(record)
                try await ProcessTestSupport.waitUntil { ProcessTestSupport.members(ofGroup: pid).allSatisfy { ProcessTestSupport.stat($0)?.state == "T" } }
                #expect(record.isRunning, "a stopped process is still running")
                try supervisor.resume(record)
                try await ProcessTestSupport.waitUntil { ProcessTestSupport.members(ofGroup: pid).allSatisfy { ProcessTestSupport.stat($0)?.state != "T" } }

                try supervisor.kill(record)
                #expect(await supervisor.waitForExit(record, timeout: .seconds(10)) == .signalled(SIGKILL))
                try await ProcessTestSupport.waitUntil { ProcessTestSupport.members(ofGroup: pid).isEmpty }
                #expect(ProcessTestSupport.stat(pid) == nil, "reaped, not a zombie")
                #expect(!supervisor.isRunning(record))
                // Signalling an ended process is harmless.
                try supervisor.kill(record)
            }
        }
    }

    @Test func terminateEscalatesToKillAfterTheGracePeriod() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let polite = try await supervisor.start(name: "polite", program: "sleep", arguments: ["60"])
                #expect(try await supervisor.terminate(polite) == .signalled(SIGTERM))
                let stubborn = try await supervisor.start(name: "stubborn", program: "sh", arguments: ["-c", "trap '' TERM; echo trapped; while :; do sleep 0.05; done"])
                try await ProcessTestSupport.waitUntil { (try? String(contentsOfFile: stubborn.logFile, encoding: .utf8)) == "trapped\n" }
                #expect(try await supervisor.terminate(stubborn, grace: .milliseconds(300)) == .signalled(SIGKILL))
                let stopped = try await supervisor.start(name: "stopped", program: "sleep", arguments: ["60"])
                try supervisor.stop(stopped)
                #expect(try await supervisor.terminate(stopped) == .signalled(SIGTERM), "SIGCONT lets a stopped process see SIGTERM")
            }
        }
    }

    @Test func teardownLeavesNoProcessEvenWhenTheBodyThrows() async throws {
        struct Failed: Error {}
        let records = Mutex<[SupervisedProcess]>([])
        try await ProcessTestSupport.withLabDirectory { dir in
            await #expect(throws: Failed.self) {
                try await ProcessSupervisor.withSupervisor(directory: dir, gracePeriod: .milliseconds(500)) { supervisor in
                    for i in 0..<3 {
                        let record = try await supervisor.start(name: "worker-\(i)", program: "sh", arguments: ["-c", "sleep 60 & sleep 60 & wait"])
                        records.withLock { $0.append(record) }
                    }
                    let stubborn = try await supervisor.start(name: "stubborn", program: "sh", arguments: ["-c", "trap '' TERM; while :; do sleep 0.05; done"])
                    records.withLock { $0.append(stubborn) }
                    let frozen = try await supervisor.start(name: "frozen", program: "sleep", arguments: ["60"])
                    records.withLock { $0.append(frozen) }
                    try supervisor.stop(frozen)
                    throw Failed()
                }
            }
        }
        for record in records.withLock({ $0 }) {
            let pid = try #require(record.pid)
            #expect(ProcessTestSupport.stat(pid) == nil, "\(record) is gone, not a zombie")
            #expect(ProcessTestSupport.members(ofGroup: pid).isEmpty, "nothing is left of \(record)'s group")
        }
    }

    @Test func aStaleRecordWhosePIDWasReusedIsNotSignalled() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let record = try await supervisor.start(name: "bystander", program: "sleep", arguments: ["60"])
                // The same PID with another start time: what a record of an earlier run looks like
                // once the kernel has given its PID to a new process.
                var stale = record
                stale.startTime = try #require(record.startTime) - 1
                #expect(!stale.isRunning)
                #expect(try await ProcessSupervisor.killLeftover(stale) == .pidReused)
                #expect(throws: LabError.self) { try supervisor.kill(stale) }
                #expect(record.isRunning, "the process that now holds the PID was not signalled")
                #expect(supervisor.exitStatus(of: record) == nil)
            }
        }
    }

    @Test func killsTheLeftoverOfAnEarlierRun() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                // As the journal of a crashed run would hold it: only the record is known.
                let leftover = try await supervisor.start(name: "leftover", program: "sh", arguments: ["-c", "sleep 60 & wait"])
                let pid = try #require(leftover.pid)
                try await ProcessTestSupport.waitUntil { ProcessTestSupport.members(ofGroup: pid).count == 2 }
                let decoded = try JSONDecoder().decode(SupervisedProcess.self, from: JSONEncoder().encode(leftover))
                #expect(try await ProcessSupervisor.killLeftover(decoded) == .killed)
                #expect(!leftover.isRunning)
                #expect(ProcessTestSupport.members(ofGroup: pid).isEmpty)
                #expect(try await ProcessSupervisor.killLeftover(decoded) == .notRunning)
            }
        }
    }

    @Test func refusesToStartOnceStopped() async throws {
        try await ProcessTestSupport.withLabDirectory { dir in
            let kept = try await ProcessSupervisor.withSupervisor(directory: dir) { $0 }
            let error = await #expect(throws: LabError.self) { try await kept.start(name: "late", program: "sleep", arguments: ["60"]) }
            #expect(error?.code == .process)
            #expect(kept.processes.isEmpty)
        }
    }
}
