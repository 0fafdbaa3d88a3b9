import Foundation
import QuakeLab
import Testing

/// Files are replaced in one rename, in folders created on the way, with no temporary file left.
@Suite struct AtomicFileWriterTests {
    @Test func writesThenReplacesWithoutLeavingTemporaryFiles() async throws {
        try await LabFixtures.withTemporaryDirectory { root in
            let path = root + "/eds/svc2/eds.json"
            try AtomicFileWriter.write("one\n", to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\n")
            let before = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
            try AtomicFileWriter.write("two\n", to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "two\n")
            // A rename puts a new file (a new inode) in place: what Envoy's watched_directory reacts to.
            let after = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
            #expect(before != after)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/eds/svc2") == ["eds.json"])
        }
    }

    @Test func aFailureNamesThePath() async throws {
        try await LabFixtures.withTemporaryDirectory { root in
            try AtomicFileWriter.write("x", to: root + "/file")
            // A folder cannot be created where a file is.
            let error = try #require(throws: LabError.self) { try AtomicFileWriter.write("y", to: root + "/file/inner/eds.json") }
            #expect(error.code == .file)
            #expect(error.location.hasPrefix(root + "/file"))
        }
    }
}
