import Foundation

/// The machine's kill switch: while the file `ABORT` exists in the state directory, every run on
/// a live target aborts at the end of its current observation window (reverting every fault
/// first), and no new one starts. `quake abort` creates it, `quake abort --clear` removes it, and a
/// plain `touch` works too; its first line, if any, is the reason reports give.
public struct KillSwitch: Sendable {
    /// The switch's file.
    public let path: String

    /// The switch of the state directory `registry` uses.
    public init(registry: RunRegistry) {
        path = registry.directory + "/ABORT"
    }

    /// Why the switch is engaged, or nil when it is not: its file's first line, or a sentence
    /// naming the file when that is empty or unreadable.
    public func reason() -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let first = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return first.isEmpty ? "\(path) exists" : String(first.prefix(500))
    }

    /// Engages the switch with `reason` (replacing an earlier one).
    public func engage(reason: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RunnerError(code: .journal, message: "cannot engage the kill switch \(path): \(error.localizedDescription)")
        }
    }

    /// Releases the switch; false when it was not engaged.
    @discardableResult
    public func clear() throws -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw RunnerError(code: .journal, message: "cannot release the kill switch \(path): \(error.localizedDescription)")
        }
        return true
    }
}
