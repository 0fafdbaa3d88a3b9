import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve
import QuakeTestSupport
import Synchronization
import Testing

/// A real load's result turned into the Timeline the scorer reads, as a model run fills it.
@Suite("Load → Timeline", .timeLimit(.minutes(1)))
struct LoadTimelineTests {
    static func total(_ values: [UInt32]) -> Int { values.reduce(0) { $0 + Int($1) } }

    @Test("answers become requests, successes and status classes per second; latencies their histograms")
    func statusesAndLatency() async throws {
        let served = Mutex(0)
        let result = try await LoopbackHTTPServer.with({ _ in
            let n = served.withLock { n in defer { n += 1 }; return n }
            return .respond(LoopbackHTTPResponse(status: n < 100 ? 200 : 503, text: "x"))
        }) { server in
            try await LoadGenerator.run(LoadConfiguration(
                request: HTTPRequest(url: server.url()), mode: .openLoop(rate: 100), duration: .seconds(2), workers: 1
            ))
        }
        let timeline = LoadTimeline.timeline(from: result, service: "checkout")
        #expect(timeline.window == .seconds(1))
        #expect(timeline.windowCount == result.windows.count)
        let traffic = try #require(timeline.traffic.first)
        #expect(traffic.key == TrafficKey(service: "checkout", client: nil, destinationCluster: nil))
        #expect(Self.total(traffic.requests) == 200)
        #expect(Self.total(traffic.successes) == 100)
        let classes = (0..<6).map { c in (0..<timeline.windowCount).reduce(0) { $0 + traffic.count(ofClass: c, window: $1) } }
        #expect(classes == [0, 0, 100, 0, 0, 100])
        let latency = try #require(timeline.latency.first)
        #expect(latency.histograms.reduce(0) { $0 + $1.total } == 200)
        #expect(latency.histograms.compactMap { $0.value(atPercentile: 100) }.max() == TimeSpan(microseconds: Int64(try #require(result.total.maxLatency) / .microseconds(1))))

        // Ten-second windows hold the same counts in one window; an offset moves them along.
        let coarse = LoadTimeline.timeline(from: result, service: "checkout", window: .seconds(10))
        #expect(coarse.windowCount == 1)
        #expect(coarse.traffic.first?.requests == [200])
        var shifted = Timeline(window: .seconds(1), windowCount: 10)
        LoadTimeline.add(result, service: "checkout", offset: .seconds(5), to: &shifted)
        #expect(shifted.traffic.first?.requests.prefix(5).allSatisfy { $0 == 0 } == true)
        #expect(Self.total(shifted.traffic.first?.requests ?? []) == 200)
    }

    @Test("failures and requests never sent count as requests without a response (class 0)")
    func failuresAndUnsent() async throws {
        let result = try await LoopbackHTTPServer.with({ _ in .respond(LoopbackHTTPResponse(text: "slow"), after: .milliseconds(300)) }) { server in
            try await LoadGenerator.run(LoadConfiguration(
                request: HTTPRequest(url: server.url(), timeout: .milliseconds(500)),
                mode: .openLoop(rate: 40, maxInFlight: 1), duration: .seconds(1), workers: 1
            ))
        }
        #expect(result.total.unsent > 0)
        let timeline = LoadTimeline.timeline(from: result, service: "slow")
        let traffic = try #require(timeline.traffic.first)
        #expect(Self.total(traffic.requests) == result.total.completed + result.total.unsent)
        let unanswered = (0..<timeline.windowCount).reduce(0) { $0 + traffic.count(ofClass: 0, window: $1) }
        #expect(unanswered == result.total.failures + result.total.unsent)
        #expect(Self.total(traffic.successes) == result.total.count(status: 200))
    }
}
