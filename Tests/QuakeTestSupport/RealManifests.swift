import Foundation

/// The real Istio and Karmada manifests in `../shared/real-manifests`, beside the repository.
public enum RealManifests {
    /// The folder holding them (found from this source file: <repo>/../shared/real-manifests).
    public static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/real-manifests")
    }

    /// The full path of one manifest.
    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Every `.yaml` file of the folder, sorted.
    public static var all: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }
}
