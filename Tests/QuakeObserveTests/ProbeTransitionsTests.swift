import QuakeCore
import QuakeObserve
import Testing

/// When a probe started failing and passing again, from its checks in the order they were
/// scheduled: one event a change, the failing one with the first reason of its streak.
@Suite struct ProbeTransitionsTests {
    static func check(_ probe: String, at seconds: Int64, _ verdict: ProbeVerdict) -> ProbeCheck {
        ProbeCheck(probe: probe, offset: .seconds(Double(seconds)), window: Int(seconds / 5), verdict: verdict, latency: .milliseconds(3))
    }

    @Test func oneEventAChangeInScheduleOrder() {
        // As they ended: a slow failing check of 2 s ends after the passing one of 4 s.
        let checks = [
            Self.check("web", at: 1, .pass), Self.check("web", at: 4, .pass), Self.check("web", at: 3, .fail("timeout: 1 s")),
            Self.check("web", at: 2, .fail("status 503, expected 200")), Self.check("web", at: 5, .fail("status 500, expected 200")),
            Self.check("api", at: 2, .fail("refused: connection refused")), Self.check("api", at: 6, .pass),
        ]
        let events = ProbeTransitions.events(checks)
        #expect(events.map(\.description) == [
            TimelineEvent(at: .seconds(2), kind: .probeFailing, subject: "api", detail: "refused: connection refused").description,
            TimelineEvent(at: .seconds(2), kind: .probeFailing, subject: "web", detail: "status 503, expected 200").description,
            TimelineEvent(at: .seconds(4), kind: .probePassing, subject: "web").description,
            TimelineEvent(at: .seconds(5), kind: .probeFailing, subject: "web", detail: "status 500, expected 200").description,
            TimelineEvent(at: .seconds(6), kind: .probePassing, subject: "api").description,
        ])
        #expect(ProbeTransitions.events(checks.filter(\.verdict.passed)).isEmpty, "a probe that always passed has no event")
    }
}
