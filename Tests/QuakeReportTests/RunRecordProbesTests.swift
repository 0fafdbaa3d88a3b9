import Foundation
import QuakeCore
import QuakeModel
import QuakePlan
import QuakeReport
import Testing

/// `run.json` keeps each probe's checks and passes per window (`timeline.probes`), reads records
/// written before it had them, and refuses probe series that do not hold together.
@Suite struct RunRecordProbesTests {
    static let plan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: probed}
        topology:
          regions:
            r1:
              c1: {zones: {a: 2}}
        services:
          web: {replicas: 2, serviceTime: 2ms}
        traffic:
          - {from: r1/c1/a, to: web, rate: 10/s}
        probes:
          - {name: web-health, service: web, interval: 5s}
        schedule:
          duration: 1m
          faults:
            - {at: 20s, fault: http-abort, service: web, status: 503, percentage: 100%, for: 10s}
        slos:
          - {name: web answers, sli: probeSuccess(web-health), objective: ">= 50%"}
        """

    static func record() throws -> RunRecord {
        let plan = try PlanLoader.load(text: Self.plan, file: "probed.yaml").plan
        let result = ModelRun.simulate(plan, seed: 1)
        return RunRecord(plan: plan, timeline: result.timeline, scorecard: Scorer.score(plan: plan, timeline: result.timeline), target: .model, seed: 1,
                         startedAt: "2026-01-01T00:00:00Z", wallSeconds: 1)
    }

    @Test func eachProbesChecksArePerWindowAndReadBack() throws {
        let record = try Self.record()
        let probe = try #require(record.timeline.probes.first)
        #expect(record.timeline.probes.map(\.name) == ["web-health"])
        // A check every 5 s before 60 s: 11, and the two during the 10 s abort (at 20 and 25 s) fail.
        #expect(probe.checks.reduce(0, +) == 11 && probe.passes.reduce(0, +) == 9, "\(probe)")
        #expect(probe.checks.count == record.timeline.services.first?.requests.count)
        #expect(record.problem == nil)
        let data = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(RunRecord.self, from: data) == record)

        // A record written before probes were kept reads as one without them.
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var timeline = try #require(object["timeline"] as? [String: Any])
        timeline.removeValue(forKey: "probes")
        object["timeline"] = timeline
        let older = try JSONDecoder().decode(RunRecord.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.timeline.probes.isEmpty)
    }

    @Test func theReportSaysWhenAProbeFailedAndWhy() throws {
        var record = try Self.record()
        // The model's checks carry no reason: the report names the first window with a failed one.
        #expect(MarkdownReport.render(record).contains("| 20s | first failed checks of probe web-health |"), "\(MarkdownReport.render(record))")
        // A live target's say why, and when the probe passed again.
        record.timeline.events += [
            RunRecord.Event(at: 20, kind: "probe-failing", subject: "web-health", detail: "status 503, expected 200"),
            RunRecord.Event(at: 30, kind: "probe-passing", subject: "web-health", detail: ""),
        ]
        let markdown = MarkdownReport.render(record)
        #expect(markdown.contains("| 20s | probe web-health failing: status 503, expected 200 |") && markdown.contains("| 30s | probe web-health passing again |"), "\(markdown)")
        #expect(!markdown.contains("first failed checks of probe"))
    }

    @Test func probeSeriesThatDoNotHoldTogetherAreRefused() throws {
        var record = try Self.record()
        record.timeline.probes[0].passes[0] = record.timeline.probes[0].checks[0] + 1
        #expect(record.problem?.hasPrefix("timeline.probes web-health:") == true, "\(record.problem ?? "nil")")
        record = try Self.record()
        record.timeline.probes[0].checks.removeLast()
        #expect(record.problem?.hasPrefix("timeline.probes web-health:") == true, "\(record.problem ?? "nil")")
    }
}
