import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fault keys an Envoy's runtime holds, as its admin API shows them.
enum EnvoyRuntimeFaults {
    /// The `quake.fault.…` keys with a value in `GET /runtime` of the Envoy whose admin port is
    /// `adminPort`; empty when none is set or nothing answers there.
    static func keys(adminPort: Int) async -> [String] {
        guard let url = URL(string: "http://127.0.0.1:\(adminPort)/runtime") else { return [] }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, _) = try? await URLSession.shared.data(for: request),
              let entries = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["entries"] as? [String: Any]
        else { return [] }
        return entries.compactMap { key, entry in
            guard key.hasPrefix("quake.fault."), let value = (entry as? [String: Any])?["final_value"] as? String, !value.isEmpty else { return nil }
            return key
        }.sorted()
    }
}
