import Foundation
import QuakeReport

/// Writes a run's reports to a folder: report.md, report.html, junit.xml and run.json.
enum ReportFiles {
    /// Writes the four files into `folder` (created if needed).
    static func write(_ record: RunRecord, to folder: String, trend: RunTrend? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try write(MarkdownReport.render(record), to: folder + "/report.md")
        try write(HTMLReport.render(record, trend: trend), to: folder + "/report.html")
        try write(JUnitReport.render([record]), to: folder + "/junit.xml")
        try write(json(record), to: folder + "/run.json")
    }

    /// The record as `run.json` text: pretty, keys sorted, so records diff well.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Reads a run record, refusing schema versions this Quake does not know.
    static func read(_ path: String) throws -> RunRecord {
        try decode(Data(contentsOf: URL(fileURLWithPath: path)), source: path)
    }

    /// The run record in `data` (named `source` in errors), refusing schema versions this Quake
    /// does not know and records it could not have written.
    static func decode(_ data: Data, source: String) throws -> RunRecord {
        struct Version: Decodable { var schemaVersion: Int }
        let version = try JSONDecoder().decode(Version.self, from: data).schemaVersion
        guard version == 1 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(source): run record schemaVersion \(version) is not one this Quake reads (1)"])
        }
        let record = try JSONDecoder().decode(RunRecord.self, from: data)
        if let problem = record.problem {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(source): not a run record Quake wrote: \(problem)"])
        }
        return record
    }

    /// `read(path)` for a command: a record that cannot be read is an error on standard error,
    /// naming `path` and what was wrong, and exit status `invalid`.
    static func readForCommand(_ path: String) throws -> RunRecord {
        do {
            return try read(path)
        } catch let error as DecodingError {
            PlanLoading.printError("\(path): not a Quake run record: \(describe(error))")
        } catch {
            PlanLoading.printError("\(path): \(error.localizedDescription)")
        }
        throw ExitStatus.invalid.exitCode
    }

    /// A decoding error in one line: where in the record, and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "the top" : text)
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])) is missing"
        case let .typeMismatch(type, context): return "\(path(context.codingPath)) is not \(type == Double.self || type == Int.self ? "a number" : type == String.self ? "text" : "a \(type)")"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)) is null, not a \(type)"
        case let .dataCorrupted(context): return context.codingPath.isEmpty ? "not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
