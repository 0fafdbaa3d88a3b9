import Foundation
import QuakeObserve
import Testing

/// Following a file as another task appends to it, then truncates it.
@Suite struct AccessLogTailTests {
    static func line(_ n: Int) -> String {
        #"[2024-05-01T12:00:00.\#(String(format: "%03d", n))Z] "GET / HTTP/1.1" 200 - 0 5 3 2 "-" "curl" "id-\#(n)" "svc" "10.0.0.1:80""# + "\n"
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func followsAppendsAndTruncation() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("access.log").path
        try Data((Self.line(1) + Self.line(2)).utf8).write(to: URL(fileURLWithPath: path))

        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                try await Task.sleep(for: .milliseconds(150))
                // Half a line first: the tail must wait for its newline.
                let third = Self.line(3)
                try Self.append(String(third.prefix(40)), to: path)
                try await Task.sleep(for: .milliseconds(150))
                try Self.append(String(third.dropFirst(40)) + Self.line(4), to: path)
                try await Task.sleep(for: .milliseconds(200))
                try Data(Self.line(5).utf8).write(to: URL(fileURLWithPath: path), options: [])
                return []
            }
            group.addTask {
                var parser = AccessLogParser(syntax: .envoy, source: path)
                let deadline = ContinuousClock.now + .seconds(50)  // a safety net under the 1-minute limit, not a speed check
                var records: [AccessLogRecord] = []
                try await AccessLogTail(path: path, pollInterval: .milliseconds(20)).follow(into: &parser, { records.append($0) }, idle: { _ in
                    records.count < 5 && ContinuousClock.now < deadline
                })
                #expect(parser.malformed.count == 0)
                return records.map { String($0.start % 1_000_000 / 1000) }
            }
            var all: [[String]] = []
            for try await result in group { all.append(result) }
            return all.flatMap { $0 }
        }
        #expect(ids == ["1", "2", "3", "4", "5"])
    }

    @Test(.timeLimit(.minutes(1)))
    func waitsForAFileThatDoesNotExistYetAndStopsOnCancellation() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quake-tail-missing-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let task = Task {
            var parser = AccessLogParser(syntax: .envoy)
            var count = 0
            try await AccessLogTail(path: path, pollInterval: .milliseconds(10)).follow(into: &parser, { _ in count += 1 }, idle: { _ in true })
            return count
        }
        try await Task.sleep(for: .milliseconds(100))
        try Data(Self.line(7).utf8).write(to: URL(fileURLWithPath: path))
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        #expect(try await task.value == 1)
    }
}
