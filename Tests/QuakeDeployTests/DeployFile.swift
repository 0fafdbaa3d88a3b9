import Foundation
import QuakePlan
import QuakeTestSupport
import Yams

/// A file of `deploy/` read for the tests: YAML as Yams nodes, systemd units as sections of keys.
enum DeployFile {
    static let root = PlanFixtures.repository

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every YAML document of the file.
    static func documents(_ path: String) throws -> [Node] {
        Array(try Yams.compose_all(yaml: text(path)))
    }

    /// The nightly suite the deploy files run.
    static func nightly() throws -> Suite {
        try SuiteLoader.load(path: root.appendingPathComponent("experiments/nightly.yaml").path)
    }

    /// A systemd unit's settings by section, in file order (a key may repeat).
    static func unit(_ path: String) throws -> [String: [(key: String, value: String)]] {
        var sections: [String: [(key: String, value: String)]] = [:]
        var section = ""
        for raw in try text(path).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
            guard let eq = line.firstIndex(of: "=") else { continue }
            sections[section, default: []].append((String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        return sections
    }

    /// The systemd calendar event of a daily cron schedule (`M H * * *`), in UTC like the cron of
    /// GitHub Actions and of a CronJob with `timeZone: Etc/UTC`; nil for any other cron.
    static func calendar(ofCron cron: String) -> String? {
        let fields = cron.split(separator: " ")
        guard fields.count == 5, fields[2...].allSatisfy({ $0 == "*" }), let minute = Int(fields[0]), let hour = Int(fields[1]) else { return nil }
        return String(format: "*-*-* %02d:%02d:00 UTC", hour, minute)
    }
}

extension Node {
    /// The value under `key` of a mapping, by its text (so that `on:` is not read as a boolean).
    func at(_ key: String) -> Node? {
        mapping?.first { $0.key.string == key }?.value
    }

    /// The value at a path of keys.
    func at(_ keys: String...) -> Node? {
        keys.reduce(Optional(self)) { $0?.at($1) }
    }

    /// The items of a sequence (none for anything else).
    var items: [Node] { sequence.map(Array.init) ?? [] }

    /// A sequence of text items.
    var strings: [String] { items.compactMap(\.string) }
}
