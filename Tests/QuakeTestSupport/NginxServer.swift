import Foundation

/// A real nginx from Debian for tests that want a real server: started on 127.0.0.1 at a free
/// port with a configuration generated in a temporary folder (`daemon off`, no access log,
/// keep-alive for as long as the client wants), and always stopped and cleaned up again.
public struct NginxServer: Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: UInt16

    /// Why nginx could not be used.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with nginx's own error log when it wrote one.
        public let description: String
    }

    /// The URL of `path` on this server.
    public func url(_ path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// The nginx binary: `/usr/sbin/nginx`, else the first on `PATH`.
    public static func binary() -> String? {
        var candidates = ["/usr/sbin/nginx"]
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/nginx")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `body` with an nginx whose `location /` block holds `location` (by default a
    /// 3-byte `200 ok` answered from memory), then stops nginx (SIGTERM, SIGKILL after 5 s) and
    /// removes its folder, whether `body` returned or threw.
    public static func with<Value>(
        location: String = "return 200 \"ok\\n\";",
        workers: Int = 1,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (NginxServer) async throws -> Value
    ) async throws -> Value {
        guard let nginx = binary() else {
            throw Failure(description: "nginx is not installed (scripts/install-deps installs it: apt-get install nginx)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var lastError = Failure(description: "nginx did not start")
        // The free port is only known to be free when chosen; try again if nginx lost the race for it.
        for _ in 0..<3 {
            let port = try LoopbackHTTPServer.unusedPort()
            try configuration(dir: dir, port: port, location: location, workers: workers)
                .write(to: dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: nginx)
            process.arguments = ["-p", dir.path, "-c", dir.appendingPathComponent("nginx.conf").path,
                                 "-e", dir.appendingPathComponent("error.log").path, "-g", "daemon off;"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if await waitUntilListening(port: port, process: process) {
                let server = NginxServer(port: port)
                do {
                    let value = try await body(server)
                    await stop(process)
                    return value
                } catch {
                    await stop(process)
                    throw error
                }
            }
            await stop(process)
            let log = (try? String(contentsOf: dir.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            lastError = Failure(description: "nginx did not start listening on 127.0.0.1:\(port): \(log)")
        }
        throw lastError
    }

    private static func configuration(dir: URL, port: UInt16, location: String, workers: Int) -> String {
        let path = dir.path
        return """
            worker_processes \(workers);
            pid \(path)/nginx.pid;
            error_log \(path)/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              keepalive_requests 1000000000;
              keepalive_timeout 300s;
              client_body_temp_path \(path)/client_body;
              proxy_temp_path \(path)/proxy;
              fastcgi_temp_path \(path)/fastcgi;
              uwsgi_temp_path \(path)/uwsgi;
              scgi_temp_path \(path)/scgi;
              server {
                listen 127.0.0.1:\(port);
                location / { \(location) }
              }
            }

            """
    }

    /// Polls the port with a connect until nginx accepts, it exits, or 10 s pass.
    private static func waitUntilListening(port: UInt16, process: Process) async -> Bool {
        for _ in 0..<200 {
            guard process.isRunning else { return false }
            if canConnect(port: port) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private static func canConnect(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Asks nginx to stop (SIGTERM: fast shutdown), kills it after 5 s, and reaps it.
    private static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
