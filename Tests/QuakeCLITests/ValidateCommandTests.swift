import Foundation
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
        var rng = CLIGarbageRNG(seed: 0xBAD_5EED &+ UInt64(variant))
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

/// The built `quake` binary, run with `Foundation.Process`.
enum QuakeBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Whether standard error has a `file:line:column: error:` line (for `file`, when given).
        func hasPositionedError(in file: String? = nil) -> Bool {
            stderr.split(separator: "\n").contains { line in
                // The file may itself hold ':', so read the numbers back from the marker.
                guard let marker = line.range(of: ": error: ") else { return false }
                let parts = line[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 3 else { return false }
                let name = parts.dropLast(2).joined(separator: ":")
                let numbers = parts.suffix(2)
                return !name.isEmpty && (file == nil || name == file) && numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
            }
        }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "quake binary not found; looked in \(searched.joined(separator: ", "))" }
    }

    /// The `quake` built with the tests: next to the test bundle, else in the package's `.build/debug`.
    static func binary() throws -> URL {
        var dirs: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { dirs.append(executable.deletingLastPathComponent()) }
        if let argument = CommandLine.arguments.first { dirs.append(URL(fileURLWithPath: argument).deletingLastPathComponent()) }
        dirs.append(ValidateCommandTests.packageRoot.appendingPathComponent(".build/debug"))
        let candidates = dirs.map { $0.appendingPathComponent("quake") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw NotBuilt(searched: candidates.map(\.path))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `quake arguments`; output goes to files, so a chatty process can never block on a full pipe.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self)
        )
    }
}

/// A small seeded generator, so the garbage is the same on every run.
struct CLIGarbageRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
