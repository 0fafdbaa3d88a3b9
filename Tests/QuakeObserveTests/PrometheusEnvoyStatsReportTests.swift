import Foundation
import QuakeObserve
import Testing

@Suite struct PrometheusEnvoyStatsReportTests {
    private func json(_ fixture: String) throws -> [String: Any] {
        let text = try EnvoyStatsReport.render(try PrometheusFixtures.data(fixture), json: true)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func cluster(_ document: [String: Any], _ name: String) throws -> [String: Any] {
        let clusters = try #require(document["clusters"] as? [[String: Any]])
        return try #require(clusters.first { $0["name"] as? String == name })
    }

    /// The figures below were read off the page with grep, independently of the parser.
    @Test func realEnvoyPageAsJSON() throws {
        let document = try json(PrometheusFixtures.envoyPage)
        let clusters = try #require(document["clusters"] as? [[String: Any]])
        #expect(clusters.compactMap { $0["name"] as? String } == ["details", "ratings", "reviews"])
        #expect((document["istioRequests"] as? [Any])?.isEmpty == true)

        let details = try cluster(document, "details")
        let detailsRequests = try #require(details["upstreamRequests"] as? [String: Any])
        #expect(detailsRequests["total"] as? Double == 2)
        #expect(detailsRequests["byClass"] as? [String: Double] == ["5xx": 12])
        #expect(details["timeouts"] as? Double == 2)
        #expect(details["pendingOverflow"] as? Double == 10)
        #expect(details["membership"] as? [String: Double] == ["healthy": 1, "total": 1])
        let detailsEjections = try #require(details["outlierEjections"] as? [String: Any])
        #expect(detailsEjections["active"] is NSNull)

        let ratings = try cluster(document, "ratings")
        #expect(ratings["connectFailures"] as? Double == 30)
        #expect(ratings["retries"] as? Double == 30)
        #expect(ratings["retryLimitExceeded"] as? Double == 0)

        let reviews = try cluster(document, "reviews")
        let reviewsRequests = try #require(reviews["upstreamRequests"] as? [String: Any])
        #expect(reviewsRequests["total"] as? Double == 96)
        #expect(reviewsRequests["byClass"] as? [String: Double] == ["2xx": 90])
        #expect(reviews["retries"] as? Double == 6)
        #expect(reviews["membership"] as? [String: Double] == ["healthy": 2, "total": 3])
        #expect(reviews["outlierEjections"] as? [String: Double] == ["active": 1, "enforcedTotal": 2, "overflow": 0])
    }

    @Test func realEnvoyPageAsATable() throws {
        let table = try EnvoyStatsReport.render(try PrometheusFixtures.data(PrometheusFixtures.envoyPage), json: false)
        let lines = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.first == "Envoy clusters (3)")
        #expect(lines[1] == "cluster requests 2xx 5xx retries retry limit timeouts pending overflow connect fail healthy/total ejected now ejections ejection overflow")
        #expect(lines[2] == "details 2 - 12 0 0 2 10 0 1/1 - - -")
        #expect(lines[3] == "ratings 30 30 - 30 0 0 0 30 2/2 - - -")
        #expect(lines[4] == "reviews 96 90 - 6 0 0 0 0 2/3 1 2 0")
        #expect(lines.count == 5)
    }

    @Test func istioSidecarPage() throws {
        let table = try EnvoyStatsReport.render(try PrometheusFixtures.data(PrometheusFixtures.istioSidecar), json: false)
        #expect(table.contains("outbound|9080||reviews.default.svc.cluster.local"))
        #expect(table.contains("Istio requests (istio_requests_total)"))

        let document = try json(PrometheusFixtures.istioSidecar)
        let outbound = try cluster(document, "outbound|9080||reviews.default.svc.cluster.local")
        #expect((outbound["upstreamRequests"] as? [String: Any])?["byClass"] as? [String: Double] == ["2xx": 940])
        #expect(outbound["pendingOverflow"] as? Double == 12)
        let istio = try #require(document["istioRequests"] as? [[String: Any]])
        #expect(istio.count == 4)
        let overflow = try #require(istio.first { $0["responseFlags"] as? String == "UO" })
        #expect(overflow["reporter"] as? String == "source")
        #expect(overflow["destination"] as? String == "reviews.default.svc.cluster.local")
        #expect(overflow["responseCode"] as? String == "503")
        #expect(overflow["requests"] as? Double == 12)
        #expect(istio.contains { $0["responseFlags"] as? String == "URX,UF" && $0["requests"] as? Double == 3 })
    }

    @Test func pageWithoutClusterSeries() throws {
        let table = try EnvoyStatsReport.render(Data("# TYPE up gauge\nup 1\n".utf8), json: false)
        #expect(table == "No Envoy cluster or istio_requests_total series on this page (1 samples in 2 lines).\n")
    }

    @Test func notAPrometheusPage() throws {
        #expect {
            try EnvoyStatsReport.render(Data("<html>\n<body>oops</body>\n".utf8), json: true)
        } throws: { error in
            (error as? ObserveError).map { $0.code == .malformed && $0.location == "line 1" } ?? false
        }
    }
}
