import Foundation
import QuakeCore
@testable import QuakeLab
import Testing

@Suite struct EnvoyAdminTests {
    @Test func readsTheRuntimesFinalValues() throws {
        // As Envoy 1.40 answers GET /runtime after a runtime_modify.
        let body = #"{"entries": {"quake.fault.backend.abort_percent": {"layer_values": ["", "50"], "final_value": "50"}}, "layers": ["static", "admin"]}"#
        #expect(try EnvoyAdmin.runtimeValues(Data(body.utf8), of: "envoy-a") == ["quake.fault.backend.abort_percent": "50"])
        #expect(try EnvoyAdmin.runtimeValues(Data(#"{"entries": {}, "layers": ["static", "admin"]}"#.utf8), of: "envoy-a") == [:], "a cleared key is gone")
    }

    /// A body that is not the runtime is named for what it is; both said "no runtime entries".
    @Test func anAnswerThatIsNotTheRuntimeSaysWhatItIs() {
        #expect(throws: LabError(code: .api, message: "GET /runtime answered 8 bytes that are not JSON", location: "envoy-a")) {
            try EnvoyAdmin.runtimeValues(Data("not json".utf8), of: "envoy-a")
        }
        #expect(throws: LabError(code: .api, message: "GET /runtime answered JSON without an \"entries\" object", location: "envoy-a")) {
            try EnvoyAdmin.runtimeValues(Data(#"{"layers": []}"#.utf8), of: "envoy-a")
        }
    }

    @Test func upstreamFailuresAreCountedPerServiceOverItsSubsets() {
        let stats = """
            cluster.outbound|8080||backend.default.svc.cluster.local.upstream_cx_connect_fail: 7
            cluster.outbound|8080||backend.default.svc.cluster.local.upstream_rq_per_try_timeout: 2
            cluster.outbound|8080|cluster2|backend.default.svc.cluster.local.upstream_rq_timeout: 1
            cluster.outbound|8080||frontend.default.svc.cluster.local.upstream_cx_connect_fail: 0
            cluster.outbound|8080||frontend.default.svc.cluster.local.upstream_cx_total: 40
            cluster.inbound|8080||.upstream_cx_connect_fail: 9
            garbled line
            """
        #expect(EnvoyAdmin.upstreamFailures(inStats: stats) == ["backend": 10, "frontend": 0])
        let url = EnvoyAdmin.upstreamFailureStatsURL(LabLayout.Envoy(name: "e", locality: Locality(region: "r", cluster: "c", zone: "z"), listenerPort: 1, adminPort: 2, baseID: 2, sourceAddress: LabLayout.Envoy.sourceAddress(index: 0)))
        #expect(url.removingPercentEncoding == "http://127.0.0.1:2/stats?filter=^cluster\\.outbound\\|.*\\.(upstream_cx_connect_fail|upstream_rq_per_try_timeout|upstream_rq_timeout)$")
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
