import Foundation

extension HistoryEntry {
    /// The id of a run: `<plan>-<start as yyyyMMdd'T'HHmmss'Z'>-<8 hex digits>`, the digits a
    /// 32-bit FNV-1a digest of the run's `run.json` text, e.g.
    /// `zone-outage-20261207T193000Z-9f3a1c07`.
    ///
    /// Plan and start keep ids readable and sortable; the digest tells apart two runs of the same
    /// plan that started in the same second (start times are whole seconds), and makes appending
    /// the same record twice store it once. Costs one pass over the record's bytes.
    public static func runID(plan: String, startedAt: Date, record: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in record.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let digits = String(hash, radix: 16)
        return "\(plan)-\(compactTime(startedAt))-\(String(repeating: "0", count: 8 - digits.count))\(digits)"
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    private static func compactTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
        return formatter.string(from: date) + "Z"
    }
}
