import Foundation
@testable import QuakeLab
import Testing

@Suite struct EnvoyAdminTests {
    @Test func readsTheRuntimesFinalValues() throws {
        // As Envoy 1.40 answers GET /runtime after a runtime_modify.
        let body = #"{"entries": {"quake.fault.backend.abort_percent": {"layer_values": ["", "50"], "final_value": "50"}}, "layers": ["static", "admin"]}"#
        #expect(EnvoyAdmin.runtimeValues(Data(body.utf8)) == ["quake.fault.backend.abort_percent": "50"])
        #expect(EnvoyAdmin.runtimeValues(Data(#"{"entries": {}, "layers": ["static", "admin"]}"#.utf8)) == [:], "a cleared key is gone")
        #expect(EnvoyAdmin.runtimeValues(Data("not json".utf8)) == nil)
    }

    @Test func readsCountersAndSkipsHistograms() {
        let text = """
            http.outbound.fault.aborts_injected: 11
            http.outbound.fault.delays_injected: 0
            cluster.outbound|8080||backend.default.svc.cluster.local.upstream_rq_time: P0(4.05,4.05) P25(4.05,4.05)
            cluster.outbound|8080||backend.default.svc.cluster.local.update_duration: No recorded values
            """
        #expect(EnvoyAdmin.counters(text) == ["http.outbound.fault.aborts_injected": 11, "http.outbound.fault.delays_injected": 0])
    }
}
