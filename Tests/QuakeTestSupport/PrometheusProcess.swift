import Foundation
import Glibc

/// A real Prometheus (Debian's `prometheus`) on 127.0.0.1 for tests, scraping one loopback target
/// every second, with its configuration, storage and log in a temporary folder.
public enum PrometheusProcess {
    /// The Prometheus server binary, if one is installed.
    public static let binary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs `body` with the base URL of a Prometheus scraping `metricsPath` on `port` every second
    /// as job `job`, once it has logged that it is ready (at most 20 s); then stops it (SIGTERM,
    /// then SIGKILL) and removes its files, whether `body` returned or threw.
    public static func with<Value>(
        scraping port: UInt16, metricsPath: String, job: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (String) async throws -> Value
    ) async throws -> Value {
        guard let binary else { throw PrometheusProcessError(message: "no prometheus binary (apt-get install prometheus)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quake-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
            - job_name: \(job)
              metrics_path: \(metricsPath)
              static_configs: [{targets: ["127.0.0.1:\(port)"]}]
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("prometheus.yml"))
        let log = directory.appendingPathComponent("prometheus.log")
        try Data().write(to: log)
        let listen = try LoopbackSocket.unusedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(listen)",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        do {
            var ready = false
            for _ in 0..<200 where !ready {
                ready = (try? String(contentsOf: log, encoding: .utf8))?.contains("Server is ready to receive web requests") == true
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard ready else {
                throw PrometheusProcessError(message: "Prometheus did not become ready: " + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
            }
            let value = try await body("http://127.0.0.1:\(listen)")
            stop(process)
            return value
        } catch {
            stop(process)
            throw error
        }
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Why a test Prometheus could not be started.
public struct PrometheusProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
