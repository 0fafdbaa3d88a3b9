import Foundation

/// The complete lines of a run's journal as JSON objects (a last line cut short by the kill is
/// left out, as rollback leaves it out).
struct JournalLines {
    var entries: [[String: Any]]
    /// Lines that are complete but not JSON objects: rollback could not read such a journal.
    var unreadable: [String]

    /// The journal at `path`; `nil` when there is none (the run was killed before it began it).
    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if data.last != UInt8(ascii: "\n") { lines.removeLast() }
        entries = []
        unreadable = []
        for line in lines where !line.isEmpty {
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                entries.append(object)
            } else {
                unreadable.append(String(decoding: line, as: UTF8.self))
            }
        }
    }

    private func kinds(_ kind: String) -> [[String: Any]] { entries.filter { $0["kind"] as? String == kind } }

    /// The run's id, from its `run-began` line.
    var runID: String? { (kinds("run-began").first?["run"] as? [String: Any])?["id"] as? String }

    /// How many faults were journaled as injecting.
    var injectingFaults: Int { Set(kinds("fault-injecting").compactMap { $0["fault"] as? Int }).count }

    /// How many faults were confirmed reverted.
    var revertedFaults: Int { Set(kinds("fault-reverted").compactMap { $0["fault"] as? Int }).count }

    /// The descriptions of the faults injected (or being injected) and not confirmed reverted.
    var activeFaults: [String] {
        let reverted = Set(kinds("fault-reverted").compactMap { $0["fault"] as? Int })
        return kinds("fault-injecting").filter { !reverted.contains($0["fault"] as? Int ?? -1) }.compactMap { $0["description"] as? String }
    }

    /// Whether the run wrote its end.
    var isEnded: Bool { !kinds("run-ended").isEmpty }

    /// The status of the last `run-ended` line.
    var endStatus: String? { kinds("run-ended").last?["status"] as? String }

    /// Whether a process's start was written and its PID not: the kill landed inside a start.
    var hasUnconfirmedStart: Bool { kinds("process-starting").count > kinds("process-started").count }
}
