import Foundation
import QuakeLab

/// Where a lab's Envoys and Prometheus listen, written to `<lab folder>/endpoints.json` once the lab
/// is up, for `quake lab status` and for people exploring by hand.
struct LabEndpoints: Codable {
    struct Envoy: Codable {
        /// The client locality whose view of the mesh the Envoy has (`region/cluster/zone`).
        var locality: String
        /// Its HTTP listener: send requests with `Host: <service>`.
        var listener: String
        /// Its admin API.
        var admin: String
    }

    var envoys: [Envoy]
    var prometheus: String

    init(envoys: [LabLayout.Envoy], prometheus: String) {
        self.envoys = envoys.map { Envoy(locality: $0.locality.description, listener: $0.listenerURL, admin: $0.adminURL) }
        self.prometheus = prometheus
    }

    static func path(labDirectory: String) -> String { labDirectory + "/endpoints.json" }

    func write(labDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(labDirectory: labDirectory)), options: .atomic)
    }

    static func read(labDirectory: String) -> LabEndpoints? {
        guard let data = FileManager.default.contents(atPath: path(labDirectory: labDirectory)) else { return nil }
        return try? JSONDecoder().decode(LabEndpoints.self, from: data)
    }

    /// One line per component, indented, for the terminal.
    var lines: [String] {
        envoys.map { "Envoy \($0.locality): \($0.listener) (admin \($0.admin))" } + ["Prometheus: \(prometheus)"]
    }
}
