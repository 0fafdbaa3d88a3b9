import Foundation

/// Reads a journal back, as rollback and `quake status` do after the run that wrote it ended or died.
public enum JournalReader {
    /// The entries of the journal at `path`. A last line cut short (the run died while writing
    /// it, so it has no final newline) is left out: the change it announced was never made.
    ///
    /// - Throws: ``RunnerError`` `journal` when the file cannot be read, or naming the line
    ///   (`path:N`) that is not a journal entry.
    public static func entries(at path: String) throws(RunnerError) -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError(code: .journal, message: "cannot read the journal \(path)")
        }
        return try entries(in: data, path: path)
    }

    /// The entries in `data` (a journal's bytes); `path` names it in errors.
    public static func entries(in data: Data, path: String) throws(RunnerError) -> [JournalEntry] {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if data.last != UInt8(ascii: "\n") { lines.removeLast() }
        var entries: [JournalEntry] = []
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                entries.append(try Journal.decoder.decode(JournalEntry.self, from: Data(line)))
            } catch {
                throw RunnerError(code: .journal, message: "\(path):\(number + 1): not a journal entry (\(Self.reason(error)))")
            }
        }
        return entries
    }

    /// The state the journal at `path` leaves.
    public static func state(at path: String) throws(RunnerError) -> JournalState {
        JournalState(try entries(at: path))
    }

    /// What a decoding error says is wrong, on one line, with where in the entry (`run.owner.pid`,
    /// `process.arguments[0]`): for journal and registry errors.
    static func reason(_ error: any Error) -> String {
        let path: [any CodingKey], text: String
        switch error {
        case let DecodingError.dataCorrupted(context), let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            (path, text) = (context.codingPath, context.debugDescription)
        case let DecodingError.keyNotFound(key, context):
            (path, text) = ([], "no " + Self.path(context.codingPath + [key]))
        default:
            (path, text) = ([], String(describing: error))
        }
        let line = (path.isEmpty ? "" : Self.path(path) + ": ") + text
        // A value read from the entry may hold a newline, a line separator or a control character.
        let breaking: Set<Unicode.GeneralCategory> = [.control, .lineSeparator, .paragraphSeparator]
        return line.unicodeScalars.map { breaking.contains($0.properties.generalCategory) ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        String(keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix("."))
    }
}
