import Foundation
import QuakeCore
@testable import QuakeReport
import QuakeTestSupport
import Testing

/// The run record fuzzed as `quake report RUN.json` reads it (issue #7): 100,000 seeded records,
/// the sample report's cut to a few windows, edited, mutated byte by byte or generated. Each is
/// read or refused with a `DecodingError`, or found not to hold together (`RunRecord.problem`),
/// and each that holds together is rendered as Markdown, HTML and JUnit; none takes a second.
///
/// `quake report` reads with `ReportFiles.read`, in the executable, which tests cannot import:
/// `read(_:)` below does what it does (the schema version first, then the record, then its check).
@Suite struct RunRecordFuzzTests {
    /// Why a record was refused: a decoding error, or a schema version this Quake does not read
    /// (`other` is for any other error, which `quake report` would not expect).
    enum Refusal: Error {
        case decoding(DecodingError)
        case version(Int)
        case other(any Error)
    }

    static func read(_ data: Data) throws(Refusal) -> RunRecord {
        struct Version: Decodable { var schemaVersion: Int }
        do {
            let version = try JSONDecoder().decode(Version.self, from: data).schemaVersion
            guard version == 1 else { throw Refusal.version(version) }
            return try JSONDecoder().decode(RunRecord.self, from: data)
        } catch let error as DecodingError {
            throw .decoding(error)
        } catch let error as Refusal {
            throw error
        } catch {
            throw .other(error)
        }
    }

    /// The sample run's record cut to two SLOs and services and four windows (it is 219 kB), and
    /// the same with an abort and repeated runs.
    static func seeds() throws -> [String] {
        var record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: SampleReportTests.folder.appendingPathComponent("run.json")))
        record.slos = Array(record.slos.prefix(2))
        record.attribution = Array(record.attribution.prefix(1))
        record.timeline.events = Array(record.timeline.events.prefix(2))
        record.timeline.services = record.timeline.services.prefix(2).map { s in
            var s = s
            (s.requests, s.successes, s.p99Milliseconds) = (Array(s.requests.prefix(4)), Array(s.successes.prefix(4)), Array(s.p99Milliseconds.prefix(4)))
            return s
        }
        record.timeline.clusters = record.timeline.clusters.prefix(2).map { c in
            var c = c
            c.successes = Array(c.successes.prefix(4))
            return c
        }
        record.timeline.replicas = record.timeline.replicas.prefix(2).map { r in
            var r = r
            r.ready = Array(r.ready.prefix(4))
            return r
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cut = try encoder.encode(record)
        record.abort = RunRecord.Abort(condition: "successRatio(frontend) < 80% for 30s", at: 312.5)
        record.repeats = RunRecord.Repeats(seeds: [42, 43], slos: [RunRecord.RepeatedFigure(name: "availability", mean: 99.1, low: 98.7, high: 99.5, verdicts: ["pass", "fail"], flaky: true)], metrics: [])
        return [String(decoding: cut, as: UTF8.self), String(decoding: try encoder.encode(record), as: UTF8.self)]
    }

    @Test(.timeLimit(.minutes(5)))
    func everyRecordIsReadOrRefusedWithADecodingError() async throws {
        let fuzzer = JSONFuzzer(seeds: try Self.seeds(), keys: ["schemaVersion", "plan", "description", "owner", "tags", "target", "seed", "startedAt",
                                                                "durationSeconds", "wallSeconds", "verdict", "score", "slos", "faults", "abort", "metrics",
                                                                "timeline", "windowSeconds", "events", "services", "requests", "p99Milliseconds", "repeats"])
        let outcome = await fuzzer.run(100_000, seed: 0x5EED_4E90) { input, number in
            do throws(Refusal) {
                let record = try Self.read(Data(input))
                guard record.problem == nil else { return false }
                _ = MarkdownReport.render(record)
                _ = HTMLReport.render(record)
                _ = JUnitReport.render([record])
                return true
            } catch {
                switch error {
                case .decoding(let error): #expect(!"\(error)".isEmpty, "input \(number)")
                case .version: break
                case .other(let error): Issue.record("input \(number): \(error) is not a DecodingError")
                }
                return false
            }
        }
        #expect(outcome.read > 1_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }

    /// What the fuzzer found: a record whose series disagree is refused by its check, naming what;
    /// a fault scheduled after the timeline's end (a run aborted before it) renders.
    @Test func aRecordThatDoesNotHoldTogetherIsNamedAndALateFaultRenders() throws {
        var record = try JSONDecoder().decode(RunRecord.self, from: Data(try Self.seeds()[0].utf8))
        #expect(record.problem == nil)
        var uneven = record
        uneven.timeline.services[0].successes.removeLast()
        #expect(uneven.problem?.contains("its series have 4, 3 and 4 windows, not 4 each") == true, "\(uneven.problem ?? "")")
        var overflow = record
        overflow.timeline.clusters[0].successes[0] = Int.max
        #expect(overflow.problem?.contains("or a negative count") == true)
        record.faults[0].injectedAt = 10_000
        #expect(record.problem == nil)
        #expect(!MarkdownReport.render(record).isEmpty && !HTMLReport.render(record).isEmpty)
    }
}
