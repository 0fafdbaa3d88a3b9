import Foundation
import Testing
@testable import QuakeHistory

/// The Prometheus text format of the latest runs.
@Suite struct PrometheusExportTests {
    @Test func eachFigureIsOneFamilyWithOneSamplePerPlanAndTarget() {
        var lab = HistoryFixtures.entry("zone-outage", target: "lab", verdict: "fail")
        lab.score = nil
        lab.timeToRecoverSeconds = nil
        let text = PrometheusExport.render([HistoryFixtures.entry("zone-outage"), lab])
        #expect(text.hasPrefix("""
            # HELP quake_run_timestamp_seconds When the latest run of the plan started, in seconds since 1970 (UTC).
            # TYPE quake_run_timestamp_seconds gauge
            quake_run_timestamp_seconds{plan="zone-outage",target="model"} 1796650000
            quake_run_timestamp_seconds{plan="zone-outage",target="lab"} 1796650000
            # HELP quake_run_verdict
            """))
        #expect(text.contains("quake_run_verdict{plan=\"zone-outage\",target=\"lab\",verdict=\"fail\"} 1\n"))
        #expect(text.contains("quake_run_verdict{plan=\"zone-outage\",target=\"lab\",verdict=\"pass\"} 0\n"))
        #expect(text.contains("quake_run_score{plan=\"zone-outage\",target=\"model\"} 88.9\n"))
        #expect(!text.contains("quake_run_score{plan=\"zone-outage\",target=\"lab\"}"), "no score is no sample, not zero")
        #expect(text.contains("quake_run_time_to_recover_seconds{plan=\"zone-outage\",target=\"model\"} 31.5\n"))
        #expect(text.contains("quake_run_failed_requests{plan=\"zone-outage\",target=\"model\"} 12\n"))
        #expect(text.contains("quake_slo_value{plan=\"zone-outage\",target=\"model\",slo=\"availability\"} 99.9\n"))
        #expect(!text.contains("slo=\"p99 latency\"} "), "an SLO without a value has no value sample")
        #expect(text.contains("quake_slo_verdict{plan=\"zone-outage\",target=\"model\",slo=\"p99 latency\",verdict=\"inconclusive\"} 1\n"))
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(types.count == Set(types).count, "each family once")
    }

    @Test func labelValuesAndNumbersAreWrittenAsTheFormatAsks() {
        #expect(PrometheusExport.escape("a \"b\" \\ c\nd") == #"a \"b\" \\ c\nd"#)
        #expect(PrometheusExport.number(3) == "3")
        #expect(PrometheusExport.number(0.25) == "0.25")
        #expect(PrometheusExport.number(.infinity) == "+Inf")
        #expect(PrometheusExport.number(.nan) == "NaN")
    }

    @Test func noRunsIsAnEmptyExposition() {
        #expect(PrometheusExport.render([]) == "")
    }
}
