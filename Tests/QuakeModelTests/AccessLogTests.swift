import Foundation
import QuakeCore
import QuakeModel
import Testing

/// Model access logs in Envoy's formats, one line per simulated request.
@Suite struct AccessLogTests {
    final class Lines: AccessLogSink {
        var envoy: [String] = []
        var json: [String] = []
        func write(_ line: AccessLogLine) {
            envoy.append(AccessLogFormat.envoy.render(line))
            json.append(AccessLogFormat.json.render(line))
        }
    }

    @Test func oneLinePerRequestInEnvoysDefaultFormat() throws {
        let lines = Lines()
        let plan = try ModelFixtures.plan(TrafficBehaviourTests.retryPlan(faultOnRoute: false).replacingOccurrences(of: "rate: 200/s", with: "rate: 20/s"))
        let result = ModelRun.simulate(plan, accessLog: lines)
        #expect(lines.envoy.count == result.simulatedRequests)
        let pattern = #/^\[1970-01-01T\d\d:\d\d:\d\d\.\d{3}Z\] "GET / HTTP/1\.1" (\d{3}) (\S+) 0 0 (\d+) - "-" "quake-model" "quake-\d{10}" "svc" "(\S+)"$/#
        for line in lines.envoy { #expect(line.wholeMatch(of: pattern) != nil, "\(line)") }
        #expect(lines.envoy.first?.hasPrefix("[1970-01-01T00:00:00.") == true)
    }

    @Test func jsonLinesDecodeWithTheirFields() throws {
        let lines = Lines()
        let plan = try ModelFixtures.plan(TrafficBehaviourTests.workedExample.replacingOccurrences(of: "rate: 500/s", with: "rate: 20/s"))
        _ = ModelRun.simulate(plan, accessLog: lines)
        var flagged = 0
        for line in lines.json {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["authority", "code", "duration_ms", "flags", "method", "path", "request_id", "start_time", "upstream_cluster", "upstream_host"])
            if (object["flags"] as? String) == "UF" {
                flagged += 1
                #expect(object["code"] as? Int == 503)
            }
        }
        #expect(flagged > 0, "the dead local hosts answer with UF")
    }

    @Test func timestampsCountFromTheEpoch() {
        let line = AccessLogLine(start: 3_725_042_000, method: "GET", path: "/x", status: 200, flags: [], duration: 12_345, upstreamHost: nil, upstreamCluster: "c", authority: "a", requestID: 7)
        #expect(AccessLogFormat.envoy.render(line) == #"[1970-01-01T01:02:05.042Z] "GET /x HTTP/1.1" 200 - 0 0 12 - "-" "quake-model" "quake-0000000007" "a" "-""#)
    }
}
