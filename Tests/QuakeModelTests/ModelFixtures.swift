import QuakeCore
import QuakeModel
import QuakePlan
import Testing

/// Plans for model tests, written as a user would write them.
enum ModelFixtures {
    /// Loads a plan from YAML text, failing the test on any error.
    static func plan(_ yaml: String) throws -> Plan {
        do {
            return try PlanLoader.load(text: yaml, file: "test.yaml").plan
        } catch {
            Issue.record("fixture plan does not load: \(error)")
            throw error
        }
    }

    /// Simulates a plan text.
    static func run(_ yaml: String, seed: UInt64? = nil) throws -> ModelRun.Result {
        ModelRun.simulate(try plan(yaml), seed: seed)
    }

    /// The first event of a kind about a subject containing `subject`, in seconds from the start.
    static func firstEvent(_ timeline: Timeline, _ kind: TimelineEvent.Kind, subject: String? = nil, detail: String? = nil) -> Double? {
        timeline.events.first { e in
            e.kind == kind && (subject.map { e.subject.contains($0) } ?? true) && (detail.map { e.detail.contains($0) } ?? true)
        }?.at.seconds
    }

    /// Requests and successes of a service in windows `from..<to` (seconds), optionally by destination cluster.
    static func traffic(_ timeline: Timeline, service: String, from: Double, to: Double, destination: String?? = nil) -> (requests: Int, successes: Int) {
        let first = timeline.windowIndex(at: .seconds(from)), last = timeline.windowIndex(at: .seconds(to - 0.001))
        var requests = 0, successes = 0
        for series in timeline.traffic where series.key.service == service {
            if let destination, series.key.destinationCluster != destination { continue }
            for w in first...last {
                requests += Int(series.requests[w])
                successes += Int(series.successes[w])
            }
        }
        return (requests, successes)
    }

    /// The error ratio of a service in a time range.
    static func errorRatio(_ timeline: Timeline, service: String, from: Double, to: Double) -> Double {
        let t = traffic(timeline, service: service, from: from, to: to)
        return t.requests == 0 ? 0 : 1 - Double(t.successes) / Double(t.requests)
    }
}
