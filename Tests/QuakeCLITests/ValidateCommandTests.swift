import Foundation
import QuakeTestSupport
import Testing

/// `quake validate` run as a real process on every malformed fixture, a 10 MB file and binary garbage.
@Suite struct ValidateCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let malformed = packageRoot.appendingPathComponent("Tests/QuakePlanTests/Fixtures/malformed")

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: malformed.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test func thereAreEnoughFixtures() {
        #expect(Self.fixtures.count >= 45)
    }

    @Test(.timeLimit(.minutes(2)), arguments: fixtures)
    func malformedFixtureExitsTwoWithAPosition(_ name: String) throws {
        let path = Self.malformed.appendingPathComponent(name).path
        let result = try QuakeBinary.run(["validate", path])
        #expect(result.status == 2, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.hasPositionedError(in: path), "stderr: \(result.stderr)")
    }

    @Test(.timeLimit(.minutes(2)))
    func tenMegabyteFileExitsTwo() throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "apiVersion: quake/v1\nkind: Experiment\nmetadata:\n  name: huge\n  tags:\n"
        var i = 0
        while text.utf8.count < 10 * 1024 * 1024 {
            text += "    - tag-\(String(repeating: "x", count: 40))-\(i)\n"
            i += 1
        }
        let path = dir.appendingPathComponent("ten-megabytes.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let result = try QuakeBinary.run(["validate", path])
        #expect(result.status == 2, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.stderr.contains("\(path):1:1: error: "), "stderr: \(result.stderr)")
    }

    @Test(.timeLimit(.minutes(2)), arguments: [0, 1, 2])
    func binaryGarbageExitsTwo(_ variant: Int) throws {
        let dir = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: 0xBAD_5EED &+ UInt64(variant))
        let noise = (0..<65_536).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let head = Array("apiVersion: quake/v1\nkind: Exp".utf8)
        let bytes: [UInt8]
        switch variant {
        case 0: bytes = noise
        case 1: bytes = head + [0] + noise
        default: bytes = head + [0xC3, 0x28] + noise
        }
        #expect(bytes.contains(0))
        let path = dir.appendingPathComponent("garbage-\(variant).yaml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try QuakeBinary.run(["validate", path])
        #expect(result.status == 2, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.hasPositionedError(in: path), "stderr: \(result.stderr)")
        if variant > 0 { #expect(result.stderr.contains("\(path):2:10: error: "), "stderr: \(result.stderr)") }
    }

    @Test(.timeLimit(.minutes(2)))
    func validExamplePlanExitsZero() throws {
        let result = try QuakeBinary.run(["validate", "experiments/zone-outage.yaml"], in: Self.packageRoot)
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.stdout.contains("zone-outage: valid"), "stdout: \(result.stdout)")
    }

    @Test(.timeLimit(.minutes(2)))
    func usageErrorExitsTwo() throws {
        let result = try QuakeBinary.run(["--bogus"])
        #expect(result.status == 2, "exit \(result.status); stderr: \(result.stderr)")
        #expect(result.stderr.contains("--bogus"), "stderr: \(result.stderr)")
    }
}

