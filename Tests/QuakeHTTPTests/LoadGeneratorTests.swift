import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

/// The load generator against real servers on 127.0.0.1: the loopback test server and nginx.
@Suite("Load generator", .timeLimit(.minutes(1)))
struct LoadGeneratorTests {
    static func openLoop(_ url: String, rate: Double, seconds: Int, maxInFlight: Int = 256, timeout: Duration = .seconds(10)) -> LoadConfiguration {
        LoadConfiguration(
            request: HTTPRequest(url: url, timeout: timeout, connectTimeout: timeout),
            mode: .openLoop(rate: rate, maxInFlight: maxInFlight),
            duration: .seconds(seconds),
            workers: 2
        )
    }

    /// How many requests took at least `floor`.
    static func count(_ tally: LoadTally, atLeast floor: Duration) -> Int {
        tally.latencyCounts.filter { Duration.microseconds($0.microseconds) >= floor }.reduce(0) { $0 + $1.count }
    }

    @Test("open loop: a server that stalls 1 s once shows the stall in p99.9 and in every request caught behind it; a closed loop records it once per connection")
    func stallIsNotHidden() async throws {
        let open = try await LoopbackHTTPServer.with(StallOnce(after: 100, stall: .seconds(1)).reply) { server in
            try await LoadGenerator.run(Self.openLoop(server.url(), rate: 200, seconds: 3))
        }
        #expect(open.total.sent == 600)
        #expect(open.total.responses == 600)
        #expect(try #require(open.total.latency(atPercentile: 99.9)) >= .milliseconds(900))
        // About 200 requests were due during the stall, waiting from 1 s down to nothing.
        #expect(Self.count(open.total, atLeast: .milliseconds(500)) >= 50)

        let closed = try await LoopbackHTTPServer.with(StallOnce(after: 100, stall: .seconds(1)).reply) { server in
            try await LoadGenerator.run(LoadConfiguration(
                request: HTTPRequest(url: server.url()), mode: .closedLoop(connections: 4), duration: .seconds(2), workers: 2
            ))
        }
        #expect(closed.total.responses > 100)
        #expect(try #require(closed.total.maxLatency) >= .milliseconds(900))
        // Each connection waited out the stall with one request and sent nothing meanwhile.
        #expect(Self.count(closed.total, atLeast: .milliseconds(500)) <= 4)
    }

    @Test("open loop with a ramp: the rate climbs second by second to the target, and the rate error counts the ramp")
    func ramp() async throws {
        var configuration = Self.openLoop("", rate: 400, seconds: 3)
        configuration.ramp = LoadRamp(from: 0, over: .seconds(2))
        let result = try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "ok")) }) { server in
            configuration.request = HTTPRequest(url: server.url(), timeout: .seconds(10))
            return try await LoadGenerator.run(configuration)
        }
        // 0 → 400/s over 2 s: 100 requests in the first second, 300 in the second, then 400.
        #expect(result.scheduled == 800)
        #expect(result.total.responses == 800)
        #expect(Array(result.windows.map(\.sent).prefix(3)) == [100, 300, 400], "\(result.windows.map(\.sent))")
        #expect(abs(try #require(result.rateError)) < 0.1, "rate error \(result.rateError ?? 0)")
    }

    @Test("open loop against nginx: the achieved rate is the target's, every scheduled request sent")
    func rateAccuracy() async throws {
        let result = try await NginxServer.with { nginx in
            try await LoadGenerator.run(Self.openLoop(nginx.url(), rate: 2000, seconds: 2))
        }
        #expect(result.scheduled == 4000)
        #expect(result.total.sent == 4000)
        #expect(result.total.unsent == 0)
        #expect(result.total.count(status: 200) == 4000)
        #expect(result.total.bodyBytes == 4000 * 3)
        // Every request of the schedule left, so the rate is the target's; how many left before the
        // end depends on how busy the test runner is (scripts/bench-http measures the 1 % goal).
        #expect(abs(try #require(result.rateError)) < 0.1, "rate error \(result.rateError ?? 0)")
        #expect(result.windows.count >= 2)
        #expect(result.windows.map(\.sent).reduce(0, +) == 4000)
        #expect(result.cpu.user + result.cpu.system > .zero)
    }

    @Test("closed loop against nginx: the connections keep requests going back to back")
    func closedLoopAgainstNginx() async throws {
        let result = try await NginxServer.with { nginx in
            try await LoadGenerator.run(LoadConfiguration(
                request: HTTPRequest(url: nginx.url("/any")), mode: .closedLoop(connections: 8), duration: .seconds(1), workers: 2
            ))
        }
        #expect(result.total.sent > 100)
        #expect(result.total.completed == result.total.sent)
        #expect(result.total.count(status: 200) == result.total.sent)
        #expect(result.rateError == nil)
        #expect(result.completedPerSecond > 0)
    }

    @Test("the in-flight cap: requests due while it is reached are sent late, or counted unsent after waiting past the timeout")
    func inFlightCap() async throws {
        let slow = LoopbackHTTPResponse(text: "slow\n")
        let result = try await LoopbackHTTPServer.with({ _ in .respond(slow, after: .milliseconds(300)) }) { server in
            try await LoadGenerator.run(Self.openLoop(server.url(), rate: 50, seconds: 2, maxInFlight: 2, timeout: .seconds(1)))
        }
        #expect(result.scheduled == 100)
        #expect(result.total.sent + result.total.unsent == 100)
        #expect(result.total.late > 0)
        #expect(result.total.unsent > 0)
        #expect(result.total.completed == result.total.sent)
        #expect(result.total.count(status: 200) == result.total.sent)
        // A late request's latency counts its wait for the cap.
        #expect(try #require(result.total.maxLatency) >= .milliseconds(600))
        #expect(try #require(result.rateError) < -0.1)
    }

    @Test("responses are counted by status")
    func statuses() async throws {
        let unavailable = LoopbackHTTPResponse(status: 503, text: "busy\n")
        let result = try await LoopbackHTTPServer.with({ $0.path == "/" ? .respond(unavailable) : .respond(LoopbackHTTPResponse(text: "ok")) }) { server in
            try await LoadGenerator.run(Self.openLoop(server.url(), rate: 100, seconds: 1))
        }
        #expect(result.total.statuses.map(\.status) == [503])
        #expect(result.total.count(status: 503) == 100)
        #expect(result.total.errors.isEmpty)
    }

    @Test("failures are counted by kind", arguments: [LoadErrorKind.refused, .timeout, .reset])
    func failures(kind: LoadErrorKind) async throws {
        let reply: LoopbackHTTPReply = kind == .timeout ? .hang : .reset
        let configure = { (url: String) in Self.openLoop(url, rate: 50, seconds: 1, timeout: .milliseconds(300)) }
        let result: LoadResult
        if kind == .refused {
            result = try await LoadGenerator.run(configure("http://127.0.0.1:\(try LoopbackHTTPServer.unusedPort())/"))
        } else {
            result = try await LoopbackHTTPServer.with({ _ in reply }) { server in
                try await LoadGenerator.run(configure(server.url()))
            }
        }
        #expect(result.total.sent == 50)
        #expect(result.total.errors.map(\.kind) == [kind])
        #expect(result.total.count(of: kind) == 50)
        #expect(result.total.responses == 0)
        if kind == .timeout {
            #expect(try #require(result.total.latency(atPercentile: 50)) >= .milliseconds(280))
        }
    }

    @Test("cancelling the task stops the load at once and returns what it did so far")
    func cancellation() async throws {
        try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "ok")) }) { server in
            let load = Task { try await LoadGenerator.run(Self.openLoop(server.url(), rate: 100, seconds: 600)) }
            while server.requests.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
            load.cancel()
            let result = try await load.value
            #expect(result.stoppedEarly)
            #expect(result.total.sent > 0)
            #expect(result.total.sent < 60_000)
            #expect(result.sendingTime < .seconds(600))
        }
    }

    @Test("a load that cannot work is refused before it starts", arguments: [
        ("ftp://127.0.0.1/", HTTPError.Code.invalidURL),
        ("not a url", .invalidURL),
        ("http://", .invalidURL),
    ])
    func invalidURL(url: String, code: HTTPError.Code) async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await LoadGenerator.run(Self.openLoop(url, rate: 10, seconds: 1))
        }
        #expect(error?.code == code)
    }

    @Test("a bad rate, duration or cap is refused before the load starts")
    func invalidSettings() async throws {
        let url = "http://127.0.0.1:1/"
        let bad: [LoadConfiguration] = [
            Self.openLoop(url, rate: 0, seconds: 1),
            Self.openLoop(url, rate: .infinity, seconds: 1),
            Self.openLoop(url, rate: 10, seconds: 0),
            Self.openLoop(url, rate: 10, seconds: 1, maxInFlight: 0),
            LoadConfiguration(request: HTTPRequest(url: url), mode: .closedLoop(connections: 0), duration: .seconds(1)),
            LoadConfiguration(request: HTTPRequest(url: url), mode: .openLoop(rate: 10), duration: .seconds(1), ramp: LoadRamp(from: -1, over: .seconds(1))),
            LoadConfiguration(request: HTTPRequest(url: url), mode: .openLoop(rate: 10), duration: .seconds(1), ramp: LoadRamp(from: 1, over: .zero)),
            LoadConfiguration(request: HTTPRequest(url: url), mode: .closedLoop(connections: 1), duration: .seconds(1), ramp: LoadRamp(from: 1, over: .seconds(1))),
        ]
        for configuration in bad {
            let error = await #expect(throws: HTTPError.self) { try await LoadGenerator.run(configuration) }
            #expect(error?.code == .invalidRequest)
        }
    }
}
