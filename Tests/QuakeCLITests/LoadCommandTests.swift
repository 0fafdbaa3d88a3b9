import Foundation
import QuakeTestSupport
import Testing

/// `quake load` run as a real process against the loopback test server: the summary table,
/// JSON, closed loop, and exit code 2 with a clear message for bad input.
@Suite(.timeLimit(.minutes(2)))
struct LoadCommandTests {
    static let ok: @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply = { request in
        request.path == "/busy" ? .respond(LoopbackHTTPResponse(status: 503, text: "busy\n")) : .respond(LoopbackHTTPResponse(text: "ok\n"))
    }

    @Test("open loop: the summary table shows the rate against its target, statuses, late and unsent requests, percentiles and CPU")
    func summaryTable() async throws {
        try await LoopbackHTTPServer.with(Self.ok) { server in
            let result = try QuakeBinary.run(["load", server.url(), "--rate", "200/s", "--duration", "1s"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let out = result.stdout
            #expect(out.contains("200 scheduled: 200 sent"), "stdout: \(out)")
            #expect(out.contains("0 unsent"), "stdout: \(out)")
            #expect(out.contains("(target 200.0/s"), "stdout: \(out)")
            #expect(out.contains("200: 200"), "stdout: \(out)")
            #expect(out.contains("p99.9"), "stdout: \(out)")
            #expect(out.contains("cores (user"), "stdout: \(out)")
            #expect(server.requests.count == 200)
        }
    }

    @Test("--json: the same figures for machines, with headers, method and body sent as given")
    func json() async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = dir.appendingPathComponent("body.json")
        try Data("{\"a\": 1}".utf8).write(to: body)
        try await LoopbackHTTPServer.with(Self.ok) { server in
            let result = try QuakeBinary.run([
                "load", server.url("/busy"), "--rate", "100/s", "--duration", "1s", "--json", "--arrival", "poisson", "--seed", "7",
                "--header", "X-Test: yes", "--method", "PUT", "--body", "@\(body.path)",
            ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let total = try #require(object["total"] as? [String: Any])
            let sent = try #require(total["sent"] as? Int)
            #expect(sent > 30 && sent < 200)
            #expect((total["statuses"] as? [[String: Any]])?.first?["status"] as? Int == 503)
            #expect((total["latency_us"] as? [String: Any])?["p99_9"] is Int)
            let mode = try #require(object["mode"] as? [String: Any])
            #expect(mode["arrival"] as? String == "poisson")
            #expect(mode["seed"] as? Int == 7)
            #expect(object["target_rate"] as? Int == 100)
            #expect((object["windows"] as? [[String: Any]])?.isEmpty == false)
            let first = try #require(server.requests.first)
            #expect(first.method == "PUT")
            #expect(first.header("X-Test") == "yes")
            #expect(String(decoding: first.body, as: UTF8.self) == "{\"a\": 1}")
        }
    }

    @Test("without --rate: closed loop over the connections, as fast as they go")
    func closedLoop() async throws {
        try await LoopbackHTTPServer.with(Self.ok) { server in
            let result = try QuakeBinary.run(["load", server.url(), "--duration", "1s", "--connections", "2", "--json"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect((object["mode"] as? [String: Any])?["kind"] as? String == "closed")
            #expect(object["target_rate"] is NSNull)
            #expect(((object["total"] as? [String: Any])?["sent"] as? Int ?? 0) > 10)
            #expect(server.acceptedConnections <= 2)
        }
    }

    @Test("Ctrl-C stops a long load early and prints what it did so far")
    func interrupted() async throws {
        try await LoopbackHTTPServer.with(Self.ok) { server in
            let dir = try QuakeBinary.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent("stdout")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            let handle = try FileHandle(forWritingTo: out)
            let process = Process()
            process.executableURL = try QuakeBinary.binary()
            process.arguments = ["load", server.url(), "--rate", "50/s", "--duration", "10m"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = handle
            process.standardError = FileHandle.nullDevice
            try process.run()
            while server.requests.count < 10 {
                try await Task.sleep(for: .milliseconds(50))
            }
            process.interrupt()
            process.waitUntilExit()
            try handle.close()
            let stdout = String(decoding: try Data(contentsOf: out), as: UTF8.self)
            #expect(process.terminationStatus == 0, "stdout: \(stdout)")
            #expect(stdout.contains("(stopped early)"), "stdout: \(stdout)")
            #expect(stdout.contains("200: "), "stdout: \(stdout)")
        }
    }

    @Test("a refused connection is counted, not fatal")
    func refused() throws {
        let url = "http://127.0.0.1:\(try LoopbackHTTPServer.unusedPort())/"
        let result = try QuakeBinary.run(["load", url, "--rate", "20/s", "--duration", "1s"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("refused: 20"), "stdout: \(result.stdout)")
    }

    @Test("bad input exits 2 with a message naming the problem", arguments: [
        (["load", "ftp://127.0.0.1/", "--rate", "10/s"], "not a usable URL"),
        (["load", "http://", "--rate", "10/s"], "not a usable URL"),
        (["load", "http://127.0.0.1:1/", "--rate", "fast"], "--rate fast"),
        (["load", "http://127.0.0.1:1/", "--rate", "0/s"], "--rate 0/s"),
        (["load", "http://127.0.0.1:1/", "--duration", "soon"], "--duration soon"),
        (["load", "http://127.0.0.1:1/", "--body", "@/nonexistent/body"], "cannot read the file"),
        (["load", "http://127.0.0.1:1/", "--header", "NoColon"], "--header NoColon"),
        (["load", "http://127.0.0.1:1/", "--header", "Bad Name: x"], "header name"),
        (["load", "http://127.0.0.1:1/", "--arrival", "bursty"], "bursty"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try QuakeBinary.run(arguments)
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
