import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import QuakeTestSupport
import Testing

/// Issue #7 for the commands that call a URL they are given: `quake load URL`, and a `quake pod`
/// whose `--call` URL is the runaway (the HTTPClient every other caller uses, with its default
/// 64 MiB body cap, in a process of its own). Against a server that never answers, stalls after
/// its head, trickles, or answers 1 GiB or without end, each returns within its timeout plus
/// 2 s, and its process's peak resident memory (`ru_maxrss`, from `wait4`) stays under 200 MB.
@Suite(.timeLimit(.minutes(3)))
struct RunawayTargetTests {
    static let memoryBound = 200 << 20
    static let margin: Duration = .seconds(5)

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test("quake load gives up each request at --timeout and reads bodies without keeping them", arguments: RunawayServer.allCases)
    func loadEndsAtItsTimeout(runaway: RunawayServer) async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await LoopbackHTTPServer.with({ _ in runaway.reply }) { server in
            let load = try MeasuredProcess(["load", server.url(), "--rate", "2/s", "--duration", "1s", "--timeout", "2s", "--json"],
                                           output: dir.appendingPathComponent("load.out"))
            let exit = await load.exit()
            let output = load.outputText
            #expect(exit.status == 0, "\(output)")
            // The second request leaves at 0.5 s and is given up 2 s later.
            #expect(exit.elapsed <= .milliseconds(2_500) + Self.margin, "\(exit.elapsed)")
            #expect(exit.peakBytes < Self.memoryBound, "peak \(exit.peakBytes) bytes")
            let total = try #require(try Self.json(output)["total"] as? [String: Any])
            #expect(total["sent"] as? Int == 2 && total["completed"] as? Int == 2, "\(total)")
            let timeouts = ((total["errors"] as? [[String: Any]]) ?? []).first { $0["kind"] as? String == "timeout" }?["count"] as? Int ?? 0
            let answered = ((total["statuses"] as? [[String: Int]]) ?? []).first { $0["status"] == 200 }?["count"] ?? 0
            if runaway == .oneGigabyte {
                // 1 GiB over loopback may be read whole (and thrown away) before the timeout, or not.
                #expect(answered + timeouts == 2, "\(total)")
            } else {
                #expect(timeouts == 2, "\(total)")
            }
        }
    }

    /// Waits until the pod on `port` answers `/healthz` (30 s, as the lab waits for its pods).
    static func waitForPod(port: UInt16) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            request.timeoutInterval = 1
            if let (_, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the pod on port \(port) did not answer /healthz within 30 s")
    }

    @Test("a pod's call to a runaway fails at --downstream-timeout or the body cap", arguments: RunawayServer.allCases)
    func podCallEndsAtItsTimeoutOrItsCap(runaway: RunawayServer) async throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await LoopbackHTTPServer.with({ _ in runaway.reply }) { server in
            // A port of its own per case, below the kernel's ephemeral range: one from
            // `unusedPort()` could be handed to a parallel case's server before the pod listened.
            let port = UInt16(29_400 + (RunawayServer.allCases.firstIndex(of: runaway) ?? 0))
            let log = dir.appendingPathComponent("pod.log")
            let pod = try MeasuredProcess(["pod", "--port", "\(port)", "--service", "frontend", "--call", "backend=\(server.url())",
                                           "--downstream-timeout", "2s", "--shutdown-grace", "1s", "--log-file", log.path],
                                          output: dir.appendingPathComponent("pod.out"))
            try await Self.waitForPod(port: port)
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
            request.timeoutInterval = 30
            let sent = ContinuousClock.now
            let answer = try? await URLSession.shared.data(for: request)
            let took = ContinuousClock.now - sent
            pod.send(SIGTERM)
            let exit = await pod.exit()

            #expect((answer?.1 as? HTTPURLResponse)?.statusCode == 500, "a failed call fails the request")
            #expect(took <= (runaway.onlyATimeoutEndsIt ? .seconds(2) : .zero) + Self.margin, "\(took)")
            #expect(exit.status == 0, "\(pod.outputText)")
            #expect(exit.peakBytes < Self.memoryBound, "peak \(exit.peakBytes) bytes")
            let reason = runaway.onlyATimeoutEndsIt ? "(timeout: " : "(tooLarge: the response body is longer than maxBodyBytes (67108864 bytes))"
            let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(logged.contains("call to backend failed: no response \(reason)"), "\(logged)")
        }
    }
}
