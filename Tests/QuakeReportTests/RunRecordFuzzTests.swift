import Foundation
import QuakeCore
@testable import QuakeReport
import QuakeTestSupport
import Testing

/// The run record fuzzed as `quake report RUN.json` reads it (issue #7): 100,000 seeded records,
/// the sample report's cut to a few windows, edited, mutated byte by byte or generated. Each is
/// read or refused with a `DecodingError`, none taking a second.
///
/// `quake report` reads with `ReportFiles.read`, in the executable, which tests cannot import:
/// `read(_:)` below does what it does (the schema version first, then the record). What it then
/// renders is left out until the renderers stop trapping on records that decode but do not hold
/// together (a zero or negative window, a fault after the last window, series of unequal
/// lengths, a time past `Int64` microseconds): that is for QuakeReport and TimeSpan to fix.
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
                _ = try Self.read(Data(input))
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
        #expect(outcome.read > 2_000 && outcome.refused > 20_000, "\(outcome)")
        #expect(outcome.slowest.duration < .seconds(1), "\(outcome.slowest)")
    }
}
