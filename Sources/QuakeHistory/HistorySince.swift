import Foundation
import QuakeCore

/// Reads a `--since` value: a span back from now (`14d`, `36h`, `90m`, `1d12h`) or a UTC date or
/// instant (`2026-12-01`, `2026-12-01T08:00:00Z`).
public enum HistorySince {
    /// The instant `text` names, spans counted back from `now`.
    ///
    /// - Throws: ``HistoryError`` `badArgument` saying what is accepted.
    public static func date(_ text: String, now: Date) throws(HistoryError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let span = TimeSpan(parsing: trimmed), span.microseconds > 0 {
            return now.addingTimeInterval(-span.seconds)
        }
        let instant = ISO8601DateFormatter()
        if let date = instant.date(from: trimmed) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: trimmed) { return date }
        throw HistoryError(code: .badArgument, message: "--since \(text): expected a span back from now (14d, 36h, 90m) or a UTC date (2026-12-01) or instant (2026-12-01T08:00:00Z)")
    }
}
