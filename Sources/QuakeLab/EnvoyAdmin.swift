import Foundation
import QuakeHTTP

/// The lab's calls to its Envoys' admin APIs: runtime changes confirmed by reading the runtime back,
/// and the fault filter's counters.
struct EnvoyAdmin: Sendable {
    /// How the admin APIs are reached.
    let client: HTTPClient

    /// What the fault filter counted (`http.outbound.fault.…`), summed over Envoys.
    struct FaultCounters: Sendable, Equatable {
        var abortsInjected = 0
        var delaysInjected = 0

        static func - (a: FaultCounters, b: FaultCounters) -> FaultCounters {
            FaultCounters(abortsInjected: a.abortsInjected - b.abortsInjected, delaysInjected: a.delaysInjected - b.delaysInjected)
        }
    }

    /// Sets `pairs` in every Envoy's admin runtime layer (an empty value removes the key), then
    /// reads each runtime back (`GET /runtime`) and checks that it holds exactly that.
    ///
    /// - Throws: ``LabError`` `api` naming the Envoy and the key when a call fails or the runtime
    ///   does not show the change.
    func setRuntime(_ pairs: [(key: String, value: String)], on envoys: [LabLayout.Envoy]) async throws {
        for envoy in envoys {
            let url = Self.runtimeModifyURL(envoy, pairs)
            let response = try await client.send(HTTPRequest(method: .post, url: url, timeout: .seconds(5)))
            guard response.status == 200 else {
                throw LabError(code: .api, message: "runtime_modify answered \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))", location: envoy.name)
            }
            let check = try await client.send(HTTPRequest(url: Self.runtimeURL(envoy), timeout: .seconds(5)))
            guard check.status == 200 else {
                throw LabError(code: .api, message: "GET /runtime answered \(check.status)", location: envoy.name)
            }
            let values = try Self.runtimeValues(check.body, of: envoy.name)
            for (key, value) in pairs where (values[key] ?? "") != value {
                throw LabError(code: .api, message: "the runtime shows \(key)=\(values[key] ?? "(unset)") after setting it to \(value.isEmpty ? "(unset)" : value)", location: envoy.name)
            }
        }
    }

    /// The fault filter's counters over `envoys` (`GET /stats`).
    ///
    /// - Throws: ``LabError`` `api` when an Envoy does not answer.
    func faultCounters(of envoys: [LabLayout.Envoy]) async throws -> FaultCounters {
        var total = FaultCounters()
        for envoy in envoys {
            let url = Self.faultStatsURL(envoy)
            let response = try await client.send(HTTPRequest(url: url, timeout: .seconds(5)))
            guard response.status == 200 else {
                throw LabError(code: .api, message: "GET /stats answered \(response.status)", location: envoy.name)
            }
            let counters = Self.counters(String(decoding: response.body, as: UTF8.self))
            total.abortsInjected += counters["http.\(EnvoyBootstrap.statPrefix).fault.aborts_injected"] ?? 0
            total.delaysInjected += counters["http.\(EnvoyBootstrap.statPrefix).fault.delays_injected"] ?? 0
        }
        return total
    }

    /// `POST` here sets `pairs` in the Envoy's admin runtime layer.
    static func runtimeModifyURL(_ envoy: LabLayout.Envoy, _ pairs: [(key: String, value: String)]) -> String {
        envoy.adminURL + "/runtime_modify?" + EnvoyRuntimeKeys.query(pairs)
    }

    /// `GET` here reads the Envoy's runtime back.
    static func runtimeURL(_ envoy: LabLayout.Envoy) -> String { envoy.adminURL + "/runtime" }

    /// `GET` here reads the fault filter's counters.
    static func faultStatsURL(_ envoy: LabLayout.Envoy) -> String {
        envoy.adminURL + "/stats?filter=%5Ehttp%5C.\(EnvoyBootstrap.statPrefix)%5C.fault%5C."
    }

    /// The final value of each key in `GET /runtime`'s JSON (`{"entries": {key: {"final_value": …}}}`)
    /// of Envoy `envoy`; a key whose entry has no text final value is unset.
    ///
    /// - Throws: ``LabError`` `api`, located at `envoy`, saying what the body is when it is not that.
    static func runtimeValues(_ body: Data, of envoy: String) throws(LabError) -> [String: String] {
        guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            throw LabError(code: .api, message: "GET /runtime answered \(body.count) bytes that are not JSON", location: envoy)
        }
        guard let entries = (json as? [String: Any])?["entries"] as? [String: Any] else {
            throw LabError(code: .api, message: "GET /runtime answered JSON without an \"entries\" object", location: envoy)
        }
        var values: [String: String] = [:]
        for (key, entry) in entries {
            if let value = (entry as? [String: Any])?["final_value"] as? String { values[key] = value }
        }
        return values
    }

    /// The counters and gauges of `GET /stats`'s text (`name: value` lines); histograms and other
    /// lines are skipped.
    static func counters(_ text: String) -> [String: Int] {
        var counters: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.lastIndex(of: ":"), let value = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else { continue }
            counters[String(line[..<colon])] = value
        }
        return counters
    }
}
