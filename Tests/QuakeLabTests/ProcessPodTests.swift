import Foundation
import Glibc
import QuakeHTTP
import QuakeLab
import Testing

/// `quake pod` processes started by the supervisor, as the lab starts them, and the faults the lab
/// makes of signals: SIGSTOP hangs requests until the client gives up, SIGCONT heals them,
/// SIGKILL refuses connections.
@Suite(.timeLimit(.minutes(3))) struct ProcessPodTests {
    private let client = HTTPClient()

    @Test func aStartedPodServesAndIsGoneAfterTheTeardown() async throws {
        let quake = try ProcessTestSupport.quakeBinary()
        try await ProcessTestSupport.withLabDirectory { dir in
            let records = try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let downstream = PodConfiguration(service: "svc2", pod: "svc2-0", port: try ProcessTestSupport.freePort())
                let front = PodConfiguration(
                    service: "svc1", pod: "svc1-0", port: try ProcessTestSupport.freePort(),
                    serviceTime: .logNormal(p50: .milliseconds(1), p99: .milliseconds(5)),
                    calls: [PodConfiguration.Downstream(service: "svc2", url: "http://127.0.0.1:\(downstream.port)/")],
                    logFile: "\(dir)/svc1-0.pod.log"
                )
                let records = [try await supervisor.startPod(downstream, executable: quake), try await supervisor.startPod(front, executable: quake)]
                try await supervisor.waitUntilReady(records[0], probe: .pod(downstream), timeout: .seconds(30))
                try await supervisor.waitUntilReady(records[1], probe: .pod(front), timeout: .seconds(30))
                #expect(records.map(\.name) == ["pod-svc2-0", "pod-svc1-0"])
                #expect(records[1].arguments == ["pod"] + front.arguments)

                let response = try await client.get("http://127.0.0.1:\(front.port)/orders")
                #expect(response.status == 200)
                #expect(response.headers["x-quake-pod"] == "svc1-0")
                let called = try await client.get("http://127.0.0.1:\(downstream.port)/metrics")
                #expect(String(decoding: called.body, as: UTF8.self).contains("quake_pod_requests_total{service=\"svc2\",pod=\"svc2-0\",code=\"200\"} 1"))
                // The pod wrote nothing on its standard output or error; its log went to its file.
                #expect(try String(contentsOfFile: records[1].logFile, encoding: .utf8).isEmpty)
                #expect(try String(contentsOfFile: "\(dir)/svc1-0.pod.log", encoding: .utf8).contains("listening on 127.0.0.1:\(front.port)"))
                return records
            }
            for record in records {
                let pid = try #require(record.pid)
                #expect(ProcessTestSupport.stat(pid) == nil)
                #expect(ProcessTestSupport.members(ofGroup: pid).isEmpty)
            }
        }
    }

    @Test func sigstopHangsRequestsUntilTheClientTimesOutAndSigcontHealsThem() async throws {
        let quake = try ProcessTestSupport.quakeBinary()
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let pod = PodConfiguration(service: "svc1", pod: "svc1-0", port: try ProcessTestSupport.freePort())
                let record = try await supervisor.startPod(pod, executable: quake)
                try await supervisor.waitUntilReady(record, probe: .pod(pod), timeout: .seconds(30))
                let url = "http://127.0.0.1:\(pod.port)/"

                try supervisor.stop(record)
                let start = ContinuousClock.now
                let hung = await #expect(throws: HTTPError.self) {
                    try await client.send(HTTPRequest(url: url, timeout: .milliseconds(700)))
                }
                #expect(hung?.code == .timeout, "the kernel accepted the connection; the frozen pod never answered")
                #expect(ContinuousClock.now - start >= .milliseconds(700))

                // A request sent while the pod is frozen is answered once it runs again.
                async let late = client.send(HTTPRequest(url: url, timeout: .seconds(20)))
                try await Task.sleep(for: .milliseconds(200))
                try supervisor.resume(record)
                #expect(try await late.status == 200)
                #expect(try await client.get(url).status == 200)
            }
        }
    }

    @Test func sigkillRefusesConnectionsAndSigtermStopsAPodCleanly() async throws {
        let quake = try ProcessTestSupport.quakeBinary()
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let killed = PodConfiguration(service: "svc1", pod: "svc1-0", port: try ProcessTestSupport.freePort())
                let graceful = PodConfiguration(service: "svc1", pod: "svc1-1", port: try ProcessTestSupport.freePort())
                let records = [try await supervisor.startPod(killed, executable: quake), try await supervisor.startPod(graceful, executable: quake)]
                try await supervisor.waitUntilReady(records[0], probe: .pod(killed), timeout: .seconds(30))
                try await supervisor.waitUntilReady(records[1], probe: .pod(graceful), timeout: .seconds(30))

                try supervisor.kill(records[0])
                #expect(await supervisor.waitForExit(records[0], timeout: .seconds(10)) == .signalled(SIGKILL))
                let refused = await #expect(throws: HTTPError.self) { try await client.get("http://127.0.0.1:\(killed.port)/") }
                #expect(refused?.code == .refused)

                #expect(try await supervisor.terminate(records[1]) == .exited(0), "quake pod shuts down on SIGTERM and exits 0")
                let gone = await #expect(throws: HTTPError.self) { try await client.get("http://127.0.0.1:\(graceful.port)/") }
                #expect(gone?.code == .refused)
            }
        }
    }

    /// A restarted container: the process runs at once but refuses connections for its start
    /// delay, then serves; a SIGTERM during the delay ends it at once, having never listened.
    @Test func aPodWithAStartDelayRefusesConnectionsUntilItListensAndStopsAtOnceMeanwhile() async throws {
        let quake = try ProcessTestSupport.quakeBinary()
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                // 20 s: the request half a second in is refused even when a busy machine holds this
                // test's task back for seconds.
                // Its port is free until it listens, so it comes from below the range the system
                // hands out (where the other tests' pods get theirs) and cannot be taken meanwhile.
                let delayed = PodConfiguration(service: "svc1", pod: "svc1-delayed", port: try ProcessTestSupport.freePort(in: 32_000..<32_700), startDelay: .seconds(20))
                let start = ContinuousClock.now
                let record = try await supervisor.startPod(delayed, executable: quake)
                #expect(record.arguments.contains("--start-delay"))
                try await Task.sleep(for: .milliseconds(500))
                let early = await #expect(throws: HTTPError.self) { try await client.get("http://127.0.0.1:\(delayed.port)/") }
                #expect(early?.code == .refused)
                #expect(supervisor.exitStatus(of: record) == nil, "the process runs while it waits")
                try await supervisor.waitUntilReady(record, probe: .pod(delayed), timeout: .seconds(30))
                #expect(start.duration(to: .now) >= .seconds(20), "listening only after its start delay")
                #expect(try await client.get("http://127.0.0.1:\(delayed.port)/").status == 200)

                let waiting = PodConfiguration(service: "svc1", pod: "svc1-1", port: try ProcessTestSupport.freePort(), startDelay: .seconds(60))
                let pending = try await supervisor.startPod(waiting, executable: quake)
                try await Task.sleep(for: .milliseconds(500))
                let stopping = ContinuousClock.now
                #expect(try await supervisor.terminate(pending) == .exited(0))
                #expect(stopping.duration(to: .now) < .seconds(10), "SIGTERM ends the wait, not the 60 s delay")
            }
        }
    }

    @Test func aPodThatCannotListenExitsWithItsReasonInItsLog() async throws {
        let quake = try ProcessTestSupport.quakeBinary()
        try await ProcessTestSupport.withLabDirectory { dir in
            try await ProcessSupervisor.withSupervisor(directory: dir) { supervisor in
                let first = PodConfiguration(service: "svc1", pod: "svc1-0", port: try ProcessTestSupport.freePort())
                let record = try await supervisor.startPod(first, executable: quake)
                try await supervisor.waitUntilReady(record, probe: .pod(first), timeout: .seconds(30))
                var second = first
                second.pod = "svc1-1"
                let clash = try await supervisor.startPod(second, executable: quake)
                #expect(await supervisor.waitForExit(clash, timeout: .seconds(20)) == .exited(5))
                let log = try String(contentsOfFile: clash.logFile, encoding: .utf8)
                #expect(log.contains("port \(first.port) on 127.0.0.1 is already in use"))
            }
        }
    }
}
