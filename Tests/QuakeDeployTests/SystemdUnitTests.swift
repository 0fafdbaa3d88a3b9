import Foundation
import Testing

/// deploy/systemd: the timer fires at the suite's schedule and the service runs the suite; both
/// pass `systemd-analyze verify` where systemd is installed.
@Suite struct SystemdUnitTests {
    static let service = "deploy/systemd/quake-nightly.service"
    static let timer = "deploy/systemd/quake-nightly.timer"

    static func value(_ key: String, in section: String, of path: String) throws -> [String] {
        try DeployFile.unit(path)[section, default: []].filter { $0.key == key }.map(\.value)
    }

    @Test func theTimerFiresAtTheSuitesSchedule() throws {
        let schedule = try #require(try DeployFile.nightly().schedule)
        let calendar = try #require(DeployFile.calendar(ofCron: schedule), "the nightly schedule is daily")
        #expect(try Self.value("OnCalendar", in: "Timer", of: Self.timer) == [calendar])
        #expect(try Self.value("Persistent", in: "Timer", of: Self.timer) == ["true"])
        #expect(try Self.value("Unit", in: "Timer", of: Self.timer) == ["quake-nightly.service"])
        #expect(try Self.value("WantedBy", in: "Install", of: Self.timer) == ["timers.target"])
    }

    @Test(arguments: [("0 2 * * *", "*-*-* 02:00:00 UTC"), ("30 23 * * *", "*-*-* 23:30:00 UTC"), ("0 2 * * 1", nil), ("*/5 * * * *", nil)] as [(String, String?)])
    func aDailyCronBecomesACalendarEvent(cron: String, calendar: String?) {
        #expect(DeployFile.calendar(ofCron: cron) == calendar)
    }

    @Test func theServiceRunsTheNightlySuiteOnce() throws {
        #expect(try Self.value("Type", in: "Service", of: Self.service) == ["oneshot"])
        let command = try #require(try Self.value("ExecStart", in: "Service", of: Self.service).first).split(separator: " ").map(String.init)
        #expect(command.count >= 3 && command[0].hasSuffix("/quake") && command[1] == "run" && command[2].hasSuffix("experiments/nightly.yaml"))
        let environment = try Self.value("Environment", in: "Service", of: Self.service)
        #expect(environment.contains { $0.hasPrefix("QUAKE_HISTORY=/var/lib/quake/") }, "the history is kept in the state directory")
        #expect(try Self.value("StateDirectory", in: "Service", of: Self.service) == ["quake"])
    }

    /// `systemd-analyze verify` on copies of the units whose ExecStart names an executable that
    /// exists here (it refuses a command that is not installed).
    @Test(.timeLimit(.minutes(1)))
    func systemdAcceptsTheUnits() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("systemd-analyze is not installed; the units were only read, not verified")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-systemd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for unit in [Self.service, Self.timer] {
            let text = try DeployFile.text(unit).replacingOccurrences(of: "/opt/quake/.build/release/quake", with: "/bin/true")
            let copy = dir.appendingPathComponent((unit as NSString).lastPathComponent)
            try Data(text.utf8).write(to: copy)
            paths.append(copy.path)
        }
        let messages = dir.appendingPathComponent("messages")
        _ = FileManager.default.createFile(atPath: messages.path, contents: nil)
        let handle = try FileHandle(forWritingTo: messages)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify"] + paths
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let output = String(decoding: try Data(contentsOf: messages), as: UTF8.self)
        #expect(process.terminationStatus == 0 && output.isEmpty, "\(output)")
    }
}
